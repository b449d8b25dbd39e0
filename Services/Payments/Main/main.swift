import Foundation
import Payments

exit(await PaymentsService.main())
