package cloud.openclaw.proxy.upstream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Byte-range replacements in a request body, applied in one copy; none, and the body is as is. */
final class BodyEdits {
  private record Edit(int start, int end, byte[] bytes) {}

  private final byte[] body;
  private final List<Edit> edits = new ArrayList<>(2);

  BodyEdits(byte[] body) {
    this.body = body;
  }

  /** Replaces {@code span} ({start, end} byte offsets, end exclusive) with {@code json}. */
  void replace(long[] span, String json) {
    edits.add(new Edit((int) span[0], (int) span[1], json.getBytes(StandardCharsets.UTF_8)));
  }

  void insert(long at, String json) {
    replace(new long[] {at, at}, json);
  }

  byte[] apply() {
    if (edits.isEmpty()) {
      return body;
    }
    edits.sort(Comparator.comparingInt(Edit::start));
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
    int from = 0;
    for (Edit edit : edits) {
      out.write(body, from, edit.start() - from);
      out.writeBytes(edit.bytes());
      from = edit.end();
    }
    out.write(body, from, body.length - from);
    return out.toByteArray();
  }
}
