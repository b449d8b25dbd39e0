import Foundation
import Payouts

exit(await PayoutsApp.main())
