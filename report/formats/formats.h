// The write function of each format (one file each in this folder), for the
// table in report/registry.cpp. See report/report.h for the contract.
#pragma once

#include <string>

#include "report/report.h"

namespace bindscan::report {

std::string write_azure(const Report& report);
std::string write_github(const Report& report);
std::string write_gitlab(const Report& report);
std::string write_json(const Report& report);
std::string write_junit(const Report& report);
std::string write_rdjson(const Report& report);
std::string write_sarif(const Report& report);
std::string write_text(const Report& report);

}  // namespace bindscan::report
