package cloud.openclaw.sandbox.s3;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import javax.net.ssl.SSLContext;

/**
 * The S3 stand-in on a listener of its own: path-style S3 addresses begin at the root, and clients
 * such as pgBackRest take only a host and port ({@code repo1-s3-endpoint}, {@code
 * repo1-storage-port}), no path prefix. With an {@link SSLContext} it speaks HTTPS only, as
 * pgBackRest's S3 driver requires.
 */
public final class S3Server implements AutoCloseable {
  private final WebServer server;
  private final S3StandIn standIn;

  private S3Server(WebServer server, S3StandIn standIn) {
    this.server = server;
    this.standIn = standIn;
  }

  /** Serves {@code standIn} on {@code host:port} (0: a free port); {@code tls} null for HTTP. */
  public static S3Server start(S3StandIn standIn, String host, int port, SSLContext tls) {
    io.helidon.webserver.WebServerConfig.Builder builder =
        WebServer.builder()
            .host(host)
            .port(port)
            .maxPayloadSize(-1)
            .routing(routing -> routing.register(standIn));
    if (tls != null) {
      builder.tls(Tls.builder().sslContext(tls).build());
    }
    return new S3Server(builder.build().start(), standIn);
  }

  public int port() {
    return server.port();
  }

  public S3StandIn standIn() {
    return standIn;
  }

  @Override
  public void close() {
    server.stop();
  }
}
