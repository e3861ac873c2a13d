package cloud.openclaw.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
  private ServerSocket echo;

  @BeforeEach
  void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket socket = echo.accept();
                  Thread.ofVirtual().start(() -> echoAll(socket));
                } catch (IOException e) {
                  return;
                }
              }
            });
  }

  @AfterEach
  void stopEcho() throws IOException {
    echo.close();
  }

  @Test
  void forwardsCutsAndResumes() throws IOException {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort())) {
      try (Socket socket = connect(proxy)) {
        assertThat(roundTrip(socket, "hello")).isEqualTo("hello");

        proxy.down();

        Throwable cut = catchThrowable(() -> assertThat(roundTrip(socket, "again")).isNull());
        assertThat(cut == null || cut instanceof IOException).isTrue();
      }
      assertThat(proxy.isUp()).isFalse();
      try (Socket refused = connect(proxy)) {
        Throwable failure = catchThrowable(() -> assertThat(roundTrip(refused, "x")).isNull());
        assertThat(failure == null || failure instanceof IOException).isTrue();
      }

      proxy.up();

      try (Socket socket = connect(proxy)) {
        assertThat(roundTrip(socket, "back")).isEqualTo("back");
        assertThat(proxy.connections()).isEqualTo(1);
      }
    }
  }

  @Test
  void aHungConnectionStaysOpenButSilentWhileNewOnesForward() throws IOException {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort())) {
      try (Socket hung = connect(proxy)) {
        assertThat(roundTrip(hung, "hello")).isEqualTo("hello");

        proxy.hang();

        hung.setSoTimeout(300);
        assertThat(catchThrowable(() -> roundTrip(hung, "lost")))
            .isInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(hung.isClosed()).isFalse();
        try (Socket fresh = connect(proxy)) {
          assertThat(roundTrip(fresh, "fresh")).isEqualTo("fresh");
        }
      }
    }
  }

  private static Socket connect(TcpProxy proxy) throws IOException {
    Socket socket = new Socket(proxy.host(), proxy.port());
    socket.setSoTimeout(5_000);
    return socket;
  }

  /** Sends the text and reads as many bytes back; null when the connection ended first. */
  private static String roundTrip(Socket socket, String text) throws IOException {
    byte[] sent = text.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(sent);
    out.flush();
    InputStream in = socket.getInputStream();
    byte[] received = in.readNBytes(sent.length);
    return received.length < sent.length ? null : new String(received, StandardCharsets.UTF_8);
  }

  private static void echoAll(Socket socket) {
    try (socket) {
      socket.getInputStream().transferTo(socket.getOutputStream());
    } catch (IOException ignored) {
      // the proxy cut the connection
    }
  }
}
