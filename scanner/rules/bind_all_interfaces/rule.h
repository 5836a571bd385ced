#pragma once

#include "scanner/rule.h"

namespace bindscan::rules {

// bind-all-interfaces: servers listening on every network interface (CWE-1327).
Rule bind_all_interfaces();

}  // namespace bindscan::rules
