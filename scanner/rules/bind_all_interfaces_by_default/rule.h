#pragma once

#include "scanner/rule.h"

namespace bindscan::rules {

// bind-all-interfaces-by-default: a call that leaves the host out of an API
// whose default listens on every interface (CWE-1327).
Rule bind_all_interfaces_by_default();

}  // namespace bindscan::rules
