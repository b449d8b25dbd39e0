import Foundation
import Payments

exit(await PaymentsApp.main())
