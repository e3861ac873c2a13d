package cloud.openclaw.sandbox.s3;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The bytes {@code first} to {@code last}, inclusive, that a GetObject's Range asks for. */
record ByteRange(long first, long last) {
  private static final Pattern BYTES = Pattern.compile("bytes=(\\d*)-(\\d*)");

  /**
   * A single {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}; null for a
   * header S3 ignores (several ranges, another unit, nonsense), which gets the whole object.
   */
  static ByteRange parse(String header, long size) {
    Matcher m = BYTES.matcher(header.strip());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return null;
    }
    long first;
    long last;
    if (m.group(1).isEmpty()) {
      long suffix = Long.parseLong(m.group(2));
      if (suffix == 0) {
        throw invalidRange();
      }
      first = Math.max(0, size - suffix);
      last = size - 1;
    } else {
      first = Long.parseLong(m.group(1));
      last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
      if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
        return null;
      }
    }
    if (first >= size) {
      throw invalidRange();
    }
    return new ByteRange(first, last);
  }

  String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  private static S3Exception invalidRange() {
    return new S3Exception(416, "InvalidRange", "The requested range is not satisfiable", null);
  }
}
