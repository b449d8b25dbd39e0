import Foundation
import Monitoring

exit(await MonitoringApp.main())
