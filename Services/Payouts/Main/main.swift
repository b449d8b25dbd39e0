import Foundation
import Payouts

exit(await PayoutsService.main())
