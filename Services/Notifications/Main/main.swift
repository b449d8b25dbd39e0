import Foundation
import Notifications

exit(await NotificationsApp.main())
