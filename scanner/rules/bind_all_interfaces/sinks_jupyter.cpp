// Sinks of Jupyter's servers: their Python config files. Evidence: the Debian 12 packages' source,
// python3-jupyter-server 1.23.3 and python3-notebook 6.4.12 (read from the .deb files; not among the test
// packages, so not run under the probe).
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr AssignmentSink kAssignments[] = {
    // jupyter_server/serverapp.py ServerApp.ip = Unicode("localhost", config=True); _validate_ip: "*" -> "";
    // _bind_http_server_tcp: self.http_server.listen(port, self.ip), tornado's listen, where "" is every
    // interface (netutil.bind_sockets: address "" -> None -> AI_PASSIVE).
    {.target = "c.ServerApp.ip",
     .file = ConfigFile::kJupyter,
     .shape = AddressShape::kHost,
     .wildcards = kEmptyHost | kStar},
    // notebook/notebookapp.py NotebookApp.ip: the same (default 'localhost', '*' -> '',
    // self.http_server.listen(port, self.ip)).
    {.target = "c.NotebookApp.ip",
     .file = ConfigFile::kJupyter,
     .shape = AddressShape::kHost,
     .wildcards = kEmptyHost | kStar},
};

}  // namespace

extern const SinkTable kJupyterSinks{"Jupyter (config file)", {}, {}, kAssignments};

}  // namespace bindscan::rules::sinks
