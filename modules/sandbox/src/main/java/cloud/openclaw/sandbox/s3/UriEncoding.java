package cloud.openclaw.sandbox.s3;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** Percent-encoding as SigV4 and S3 paths use it. */
final class UriEncoding {
  private UriEncoding() {}

  /** AWS' UriEncode: every byte but A-Z a-z 0-9 - _ . ~ as %XX; '/' kept unless {@code slash}. */
  static String uriEncode(String value, boolean slash) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~'
          || (c == '/' && !slash)) {
        out.append(c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  /** Decodes %XX escapes as UTF-8; '+' stays '+' (S3 paths and SigV4 queries escape spaces). */
  static String percentDecode(String raw) {
    byte[] out = new byte[raw.length()];
    int n = 0;
    byte[] in = raw.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length) {
        int hi = Character.digit(in[i + 1], 16);
        int lo = Character.digit(in[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          out = ensure(out, n);
          out[n++] = (byte) (hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      out = ensure(out, n);
      out[n++] = in[i];
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static byte[] ensure(byte[] buffer, int n) {
    return n < buffer.length ? buffer : Arrays.copyOf(buffer, buffer.length * 2 + 1);
  }
}
