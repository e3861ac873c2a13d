package cloud.openclaw.operator.gateway;

import cloud.openclaw.platform.domain.Box;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * What the platform writes into a box's OpenClaw workspace: what the customer said the agent is for
 * (the box's use case), as a section of {@code USER.md}, OpenClaw's user model, which the gateway
 * loads into the system prompt of every session (it has a budget of its own, 4,000 characters; a
 * use case is at most 2,000).
 *
 * <p>The platform owns only its section, between {@link #START} and {@link #END}; the rest of the
 * file is the agent's (it keeps its user model there and may edit it). Writing is desired state and
 * idempotent: the section is replaced when it differs, appended when it is missing (also after the
 * agent removed it: the platform's section comes back on the next apply), and removed when the box
 * has no use case; the file is created only to hold the section. OpenClaw seeds its template only
 * into a missing {@code USER.md}, so a workspace that has ours keeps it.
 *
 * <p>The same merge runs in Java (a local box, {@link #write}) and in node ({@link #MERGE_SCRIPT},
 * in a pod's init container on the workspace volume); the tests hold both to the same cases.
 */
public final class WorkspaceFiles {
  public static final String USER_FILE = "USER.md";
  public static final String START = "<!-- openclaw-cloud:use-case:start -->";
  public static final String END = "<!-- openclaw-cloud:use-case:end -->";

  /** The head of a USER.md the platform creates (OpenClaw's template's opening, shortened). */
  static final String NEW_FILE_HEAD =
      """
      # USER.md - User Model

      Stable preferences and profile facts about the person you serve, as dated directives \
      (`<!-- observed: YYYY-MM-DD | status: active -->` then `- Always ...`). The section between \
      the openclaw-cloud markers is kept by the platform from what your owner said at sign-up: \
      keep your own directives outside it.

      """;

  /**
   * node: {@code node -e MERGE_SCRIPT ... <USER.md> <section file>} (its last two arguments); the
   * section file holds {@link #section}'s text, or nothing when the box has no use case. Mirrors
   * {@link #merge}.
   */
  public static final String MERGE_SCRIPT =
      """
      const fs = require('fs');
      const [file, sectionFile] = process.argv.slice(-2);
      const START = '%s', END = '%s', HEAD = %s;
      const section = fs.existsSync(sectionFile) ? fs.readFileSync(sectionFile, 'utf8') : '';
      const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
      let next = null;
      const start = existing === null ? -1 : existing.indexOf(START);
      const end = start < 0 ? -1 : existing.indexOf(END, start);
      if (start >= 0 && end >= 0) {
        const before = existing.slice(0, start), after = existing.slice(end + END.length);
        next = section ? before + section.trimEnd() + after
                       : before.trimEnd() + (after.trim() ? '\\n\\n' + after.trimStart() : '\\n');
      } else if (section) {
        next = existing === null ? HEAD + section
             : existing.trimEnd() + (existing.trim() ? '\\n\\n' : '') + section;
      }
      if (next !== null && next !== existing) {
        fs.writeFileSync(file + '.tmp', next);
        fs.renameSync(file + '.tmp', file);
      }
      """
          .formatted(START, END, jsString(NEW_FILE_HEAD));

  private WorkspaceFiles() {}

  /**
   * The platform's section of USER.md for the box (markers included, ending in a newline); empty
   * when the box has no use case. A pure function of the box.
   */
  public static Optional<String> section(Box box) {
    if (box.useCase() == null || box.useCase().isBlank()) {
      return Optional.empty();
    }
    String observed =
        box.createdAt() == null
            ? "YYYY-MM-DD"
            : box.createdAt().atZone(ZoneOffset.UTC).toLocalDate().toString();
    StringBuilder quoted = new StringBuilder();
    // The text is the customer's: it may not end our section early or open a comment.
    for (String line : box.useCase().strip().replace("<!--", "<! --").split("\\R", -1)) {
      quoted.append("  > ").append(line).append('\n');
    }
    return Optional.of(
        START
            + "\n## What your owner set you up for\n\n"
            + "<!-- observed: "
            + observed
            + " | status: active -->\n\n"
            + "- Always act as the agent your owner asked for when they signed up; their words:\n\n"
            + quoted
            + END
            + "\n");
  }

  /**
   * USER.md's next content given what it holds ({@code existing}, null when there is no file) and
   * the platform's section (empty: none); empty when the file should stay as it is.
   */
  public static Optional<String> merge(String existing, Optional<String> section) {
    String next = null;
    int start = existing == null ? -1 : existing.indexOf(START);
    int end = start < 0 ? -1 : existing.indexOf(END, start);
    if (start >= 0 && end >= 0) {
      String before = existing.substring(0, start);
      String after = existing.substring(end + END.length());
      next =
          section.isPresent()
              ? before + section.get().stripTrailing() + after
              : before.stripTrailing() + (after.isBlank() ? "\n" : "\n\n" + after.stripLeading());
    } else if (section.isPresent()) {
      next =
          existing == null
              ? NEW_FILE_HEAD + section.get()
              : existing.stripTrailing() + (existing.isBlank() ? "" : "\n\n") + section.get();
    }
    return next == null || next.equals(existing) ? Optional.empty() : Optional.of(next);
  }

  /**
   * Brings {@code workspace/USER.md} to the box's section (see {@link #merge}); writes only when it
   * changes, by a rename so the gateway never reads half a file.
   */
  public static void write(Path workspace, Optional<String> section) {
    Path file = workspace.resolve(USER_FILE);
    try {
      String existing =
          Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
      Optional<String> next = merge(existing, section);
      if (next.isPresent()) {
        Path temp = workspace.resolve(USER_FILE + ".tmp");
        Files.writeString(temp, next.get(), StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String jsString(String text) {
    StringBuilder js = new StringBuilder("'");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '\'' -> js.append("\\'");
        case '\\' -> js.append("\\\\");
        case '\n' -> js.append("\\n");
        default -> js.append(c);
      }
    }
    return js.append('\'').toString();
  }
}
