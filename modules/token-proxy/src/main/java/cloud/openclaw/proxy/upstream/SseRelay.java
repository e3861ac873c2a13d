package cloud.openclaw.proxy.upstream;

import cloud.openclaw.platform.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Copies a server-sent-event stream from the upstream to the client as it arrives: whatever one
 * read of the upstream returns is written and flushed at once, never buffered whole. On the way it
 * notices the usage the upstream reports in its last chunks and counts the chunks, to estimate
 * usage if the stream is cut.
 */
public final class SseRelay {
  private static final byte[] USAGE = "\"usage\"".getBytes();
  // A line longer than this is relayed but not inspected past its start (usage lines are short).
  private static final int MAX_INSPECTED = 1 << 20;

  private Usage usage;
  private long chunks;
  private boolean clientGone;
  private byte[] line = new byte[8192];
  private int length;

  /** Relays until the upstream ends or the client goes away (then the upstream is closed). */
  public void relay(InputStream upstream, OutputStream client) throws IOException {
    byte[] arrived = new byte[16384];
    int count;
    while ((count = upstream.read(arrived)) != -1) {
      scan(arrived, count);
      if (count > 0 && !write(client, arrived, count)) {
        upstream.close();
        return;
      }
    }
    if (length > 0) {
      inspect(line, length);
    }
  }

  // Cuts what arrived into lines, for inspection only: the bytes go to the client as they came.
  private void scan(byte[] arrived, int count) {
    int from = 0;
    for (int i = 0; i < count; i++) {
      if (arrived[i] == '\n') {
        append(arrived, from, i + 1 - from);
        inspect(line, length);
        length = 0;
        from = i + 1;
      }
    }
    append(arrived, from, count - from);
  }

  private void append(byte[] bytes, int from, int count) {
    count = Math.min(count, MAX_INSPECTED - length);
    if (length + count > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
    }
    System.arraycopy(bytes, from, line, length, count);
    length += count;
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

  private boolean write(OutputStream client, byte[] bytes, int count) {
    if (clientGone) {
      return false;
    }
    try {
      client.write(bytes, 0, count);
      client.flush();
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
