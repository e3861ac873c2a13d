package cloud.openclaw.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 requests written byte by byte on a socket, for what java.net.http will not send: a
 * Content-Length whose body never comes, a chunked body of any size. Tests of the request size
 * limit use it to see that the server answers without reading what it refuses.
 */
public final class RawHttp {
  private static final int TIMEOUT_MS = 10_000;

  private RawHttp() {}

  /** A status line's code, the headers (names in lower case) and the body as text. */
  public record Answer(int status, Map<String, String> headers, String body) {}

  /**
   * Sends the headers of a request declaring {@code declaredLength} bytes and none of its body,
   * then reads the answer: a server that waited for the body would time out instead.
   */
  public static Answer declaring(
      int port, String method, String path, Map<String, String> headers, long declaredLength) {
    try (Socket socket = open(port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head(method, path, headers, "Content-Length: " + declaredLength));
      out.flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends a chunked body of {@code size} bytes ({@code fill} repeated, in chunks of 8 KiB) and
   * reads the answer. With {@code stopAfter} below {@code size} the request stops after the chunk
   * header that carries the body past {@code stopAfter} bytes, without that chunk's data: a server
   * that refuses at that header has nothing left unread, so its answer is not lost to a reset.
   */
  public static Answer chunked(
      int port,
      String method,
      String path,
      Map<String, String> headers,
      long size,
      byte fill,
      long stopAfter) {
    try (Socket socket = open(port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head(method, path, headers, "Transfer-Encoding: chunked"));
      byte[] chunk = new byte[8 * 1024];
      java.util.Arrays.fill(chunk, fill);
      long sent = 0;
      while (sent < size) {
        int length = (int) Math.min(chunk.length, size - sent);
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        if (sent + length > stopAfter) {
          out.flush();
          return read(socket.getInputStream());
        }
        out.write(chunk, 0, length);
        out.write(CRLF);
        sent += length;
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A complete chunked body of {@code size} bytes. */
  public static Answer chunked(
      int port, String method, String path, Map<String, String> headers, byte[] body) {
    try (Socket socket = open(port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head(method, path, headers, "Transfer-Encoding: chunked"));
      for (int at = 0; at < body.length; at += 8 * 1024) {
        int length = Math.min(8 * 1024, body.length - at);
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, at, length);
        out.write(CRLF);
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};

  private static Socket open(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(TIMEOUT_MS);
    return socket;
  }

  private static byte[] head(
      String method, String path, Map<String, String> headers, String framing) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append(framing).append("\r\n\r\n");
    return head.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static Answer read(InputStream in) throws IOException {
    String status = line(in);
    if (status.isEmpty()) {
      throw new IOException("the server closed the connection without an answer");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).strip());
    }
    byte[] body;
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line(in), 16); size > 0; ) {
        all.write(in.readNBytes(size));
        line(in);
        size = Integer.parseInt(line(in), 16);
      }
      body = all.toByteArray();
    } else {
      body = in.readAllBytes();
    }
    return new Answer(
        Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
