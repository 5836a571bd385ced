# make_server takes the host on its own, not in a tuple.
from wsgiref.simple_server import make_server
from wsgiref import simple_server


def app(environ, start_response):
    start_response("200 OK", [])
    return [b"ok"]


make_server("", 8000, app)  # expect: 13 bind-all-interfaces
make_server(host="0.0.0.0", port=8000, app=app)  # expect: 18 bind-all-interfaces
simple_server.make_server("::", 8000, app)  # expect: bind-all-interfaces

make_server("127.0.0.1", 8000, app)
make_server("localhost", 8000, app)
make_server(port=8000, app=app, host="::1")

# A replacement server class decides what is bound.
from wsgiref.simple_server import WSGIServer


class ThreadingWSGIServer(WSGIServer):
    daemon_threads = True


class FakeServer(WSGIServer):
    def server_bind(self):
        self.server_name, self.server_port = self.server_address


make_server("", 8000, app, ThreadingWSGIServer)  # expect: bind-all-interfaces
make_server("", 8000, app, server_class=FakeServer)
make_server("", 8000, app, FakeServer)
make_server("", 8000, app, server_class=configured_class)
