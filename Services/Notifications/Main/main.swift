import Foundation
import Notifications

exit(await NotificationsService.main())
