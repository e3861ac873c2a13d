package cloud.openclaw.operator.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for {@code openclaw gateway run --port N} in tests that need a gateway that serves but
 * not OpenClaw itself: answers /startupz and /healthz with 200 and a JSON body on 127.0.0.1, like
 * the real one, until it is terminated; /startupz answers 503 while a file {@value #HOLD} exists in
 * its working directory (the box's directory), like a gateway that does not come up. Run by {@link
 * FakeNpm}'s gateway script.
 */
public final class FakeGateway {
  /** While this file is in the box's directory, /startupz answers 503. */
  public static final String HOLD = "hold-startup";

  private FakeGateway() {}

  public static void main(String[] args) throws IOException {
    int port = 0;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--port")) {
        port = Integer.parseInt(args[i + 1]);
      }
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    byte[] ok = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    byte[] starting = "{\"ok\":false}".getBytes(StandardCharsets.UTF_8);
    for (String path : new String[] {"/startupz", "/healthz"}) {
      server.createContext(
          path,
          exchange -> {
            boolean held = path.equals("/startupz") && Files.exists(Path.of(HOLD));
            byte[] body = held ? starting : ok;
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(held ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
    }
    server.start();
  }
}
