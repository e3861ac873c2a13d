package cloud.openclaw.proxy.upstream;

import cloud.openclaw.platform.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Copies a server-sent-event stream from the upstream to the client as it arrives, event by event
 * (flushed at each blank line), never buffering it whole. On the way it notices the usage the
 * upstream reports in its last chunks and counts the chunks, to estimate usage if the stream is
 * cut.
 */
public final class SseRelay {
  private static final byte[] USAGE = "\"usage\"".getBytes();

  private Usage usage;
  private long chunks;
  private boolean clientGone;

  /** Relays until the upstream ends or the client goes away (then the upstream is closed). */
  public void relay(InputStream body, OutputStream client) throws IOException {
    InputStream upstream = new java.io.BufferedInputStream(body, 16384);
    byte[] line = new byte[8192];
    int length = 0;
    int next;
    while ((next = upstream.read()) != -1) {
      if (length == line.length) {
        line = java.util.Arrays.copyOf(line, line.length * 2);
      }
      line[length++] = (byte) next;
      if (next == '\n') {
        inspect(line, length);
        if (!write(client, line, length, length <= 2)) {
          upstream.close();
          return;
        }
        length = 0;
      }
    }
    if (length > 0) {
      inspect(line, length);
      write(client, line, length, true);
    }
  }

  private void inspect(byte[] line, int length) {
    if (length > 6 && line[0] == 'd' && startsWith(line, "data:")) {
      chunks++;
      if (indexOf(line, length, USAGE) >= 0) {
        String json = new String(line, 5, length - 5).strip();
        try {
          Usage.in(Json.MAPPER.readTree(json)).ifPresent(found -> usage = found);
        } catch (IOException ignored) {
          // not JSON (a comment or [DONE]); nothing to learn
        }
      }
    }
  }

  private boolean write(OutputStream client, byte[] line, int length, boolean flush) {
    if (clientGone) {
      return false;
    }
    try {
      client.write(line, 0, length);
      if (flush) {
        client.flush();
      }
      return true;
    } catch (IOException | RuntimeException e) {
      clientGone = true;
      return false;
    }
  }

  /** The usage the upstream reported, if the stream got that far. */
  public Optional<Usage> reportedUsage() {
    return Optional.ofNullable(usage);
  }

  /** True when the client went away before the stream ended. */
  public boolean clientGone() {
    return clientGone;
  }

  /** Data chunks relayed: roughly one completion token each. */
  public long chunks() {
    return chunks;
  }

  private static boolean startsWith(byte[] line, String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] haystack, int length, byte[] needle) {
    outer:
    for (int i = 0; i <= length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
