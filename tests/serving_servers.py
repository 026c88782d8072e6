"""HTTP and gRPC front ends around :class:`ModelServer`, on free local ports, for tests
that run the docs' curl commands and gRPC client exactly as a user pastes them."""

import contextlib
import http.server
import json
import threading
from concurrent import futures


@contextlib.contextmanager
def rest_server(model_server):
    """``POST /v1/models/...:predict`` answered by ``model_server.rest``; yields the port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server API)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, answer = model_server.rest(self.path, body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def grpc_server(model_server):
    """TF Serving's ``PredictionService.Predict`` answered by ``model_server.predict``;
    yields the port."""
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    from keras_genzoo.export.serving import ServingRequestError

    class Servicer(prediction_service_pb2_grpc.PredictionServiceServicer):
        def Predict(self, request, context):  # noqa: N802 (the proto's name)
            try:
                return model_server.predict(request)
            except ServingRequestError as error:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(Servicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield port
    finally:
        server.stop(grace=None)
