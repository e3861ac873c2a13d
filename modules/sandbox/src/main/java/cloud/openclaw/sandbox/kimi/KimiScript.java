package cloud.openclaw.sandbox.kimi;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The Kimi stand-in's test controls that outlive a request: replies queued by a test (the model
 * "attempts" something: a tool call with invalid arguments, a text that ignores the rules), and the
 * bodies of the last {@value #RECORDED} requests, so a test can read the prompts that reached the
 * model. Recording keeps a reference to the body already read (no copy, no parsing until asked), so
 * the stand-in stays cheap as the benchmark's upstream.
 */
public final class KimiScript {
  /** Requests whose bodies are kept, newest last. */
  static final int RECORDED = 32;

  private final Deque<Reply> replies = new ArrayDeque<>();
  private final Deque<byte[]> recorded = new ArrayDeque<>(RECORDED);

  /** A queued reply: a text ({@code content}), or tool calls (then the content is ignored). */
  public record Reply(String content, List<Call> toolCalls) {
    public Reply {
      toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static Reply text(String content) {
      return new Reply(content, List.of());
    }

    public static Reply calls(Call... calls) {
      return new Reply(null, List.of(calls));
    }
  }

  /** A tool call as the model would make it: the function's name and its arguments (JSON text). */
  public record Call(String name, String arguments) {}

  synchronized int add(List<Reply> more) {
    replies.addAll(more);
    return replies.size();
  }

  synchronized void clear() {
    replies.clear();
  }

  /** The next queued reply, or null when none is. */
  synchronized Reply next() {
    return replies.pollFirst();
  }

  synchronized void record(byte[] body) {
    if (recorded.size() == RECORDED) {
      recorded.pollFirst();
    }
    recorded.addLast(body);
  }

  /** The messages of the last {@code limit} requests, oldest first (unparseable ones: null). */
  List<JsonNode> recent(int limit) {
    List<byte[]> bodies;
    synchronized (this) {
      bodies = new ArrayList<>(recorded);
    }
    int from = Math.max(0, bodies.size() - Math.max(0, limit));
    List<JsonNode> messages = new ArrayList<>();
    for (byte[] body : bodies.subList(from, bodies.size())) {
      try {
        messages.add(Json.MAPPER.readTree(body).path("messages"));
      } catch (IOException e) {
        messages.add(null);
      }
    }
    return messages;
  }

  /**
   * {@code {"replies": [{"content": "..."} | {"toolCalls": [{"name", "arguments"}]}]}}; arguments
   * may be a JSON object or its text.
   */
  static List<Reply> parse(byte[] body) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("the script is not valid JSON");
    }
    JsonNode list = root == null ? null : root.get("replies");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException("the script needs a \"replies\" array");
    }
    List<Reply> replies = new ArrayList<>();
    for (JsonNode reply : list) {
      JsonNode calls = reply.path("toolCalls");
      if (calls.isArray() && !calls.isEmpty()) {
        List<Call> parsed = new ArrayList<>();
        for (JsonNode call : calls) {
          String name = call.path("name").asText("");
          if (name.isBlank()) {
            throw new IllegalArgumentException("a tool call needs a name");
          }
          JsonNode arguments = call.path("arguments");
          parsed.add(
              new Call(
                  name,
                  arguments.isMissingNode() || arguments.isNull()
                      ? "{}"
                      : arguments.isTextual() ? arguments.asText() : arguments.toString()));
        }
        replies.add(new Reply(null, parsed));
      } else if (reply.path("content").isTextual()) {
        replies.add(Reply.text(reply.path("content").asText()));
      } else {
        throw new IllegalArgumentException("a reply needs \"content\" or \"toolCalls\"");
      }
    }
    return replies;
  }
}
