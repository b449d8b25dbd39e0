import Foundation
import Monitoring

exit(await MonitoringService.main())
