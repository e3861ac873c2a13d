package cloud.openclaw.proxy;

import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.proxy.auth.Authenticator;
import cloud.openclaw.proxy.auth.CustomerLimits;
import cloud.openclaw.proxy.auth.TokenGrant;
import cloud.openclaw.proxy.limits.Admission;
import cloud.openclaw.proxy.limits.Limiter;
import cloud.openclaw.proxy.limits.UsageWarnings;
import cloud.openclaw.proxy.upstream.ChatRequest;
import cloud.openclaw.proxy.upstream.SseRelay;
import cloud.openclaw.proxy.upstream.Upstream;
import cloud.openclaw.proxy.upstream.Usage;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /v1}: OpenAI's chat completions as OpenClaw calls them, and the plan's models. Each
 * request is authenticated, admitted against the rate and the allowance, forwarded (streams relayed
 * as they arrive), settled to what it used, and metered.
 */
final class CompletionsService implements HttpService {
  private static final Logger LOG = Logger.getLogger(CompletionsService.class.getName());

  private final Authenticator authenticator;
  private final Limiter limiter;
  private final Upstream upstream;
  private final UsageWarnings warnings;
  private final ProxyMetrics metrics;
  private final ProxySettings settings;
  private final Duration holdFor;
  private final Clock clock;

  CompletionsService(
      Authenticator authenticator,
      Limiter limiter,
      Upstream upstream,
      UsageWarnings warnings,
      ProxyMetrics metrics,
      ProxySettings settings,
      Clock clock) {
    this.authenticator = authenticator;
    this.clock = clock;
    this.limiter = limiter;
    this.upstream = upstream;
    this.warnings = warnings;
    this.metrics = metrics;
    this.settings = settings;
    // A hold outlives any request that can still settle it; a stream may run long after its
    // headers.
    this.holdFor = settings.upstreamTimeout().plus(Duration.ofMinutes(10));
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post("/chat/completions", this::complete)
        .get("/models", this::models)
        .any(
            (request, response) -> {
              throw OpenAiError.notFound(
                  "Unknown request URL: "
                      + request.prologue().method().text()
                      + " "
                      + request.path().absolute().path());
            });
  }

  private void models(ServerRequest request, ServerResponse response) {
    CustomerLimits limits;
    try {
      limits = authenticator.limits(authenticate(request).customerId());
    } catch (RuntimeException e) {
      throw unavailableOr(e);
    }
    List<Map<String, Object>> data =
        limits.models().stream()
            .map(
                id ->
                    Map.<String, Object>of(
                        "id", id, "object", "model", "created", 0, "owned_by", "openclaw-cloud"))
            .toList();
    Json.send(response, Status.OK_200, Map.of("object", "list", "data", data));
  }

  private void complete(ServerRequest request, ServerResponse response) {
    long started = System.nanoTime();
    Exchange exchange;
    try {
      exchange = admit(request, response, started);
    } catch (RuntimeException e) {
      throw unavailableOr(e);
    }
    exchange.run(response);
  }

  /**
   * Authenticated and admitted: everything here is read from the replica's memory or Redis, and
   * from PostgreSQL only when they do not have it (docs/token-proxy.md, PostgreSQL unavailable).
   */
  private Exchange admit(ServerRequest request, ServerResponse response, long started) {
    TokenGrant grant = authenticate(request);
    CustomerLimits limits = authenticator.limits(grant.customerId());
    if (!limits.active()) {
      throw refused(
          limits,
          started,
          OpenAiError.of(
              Status.FORBIDDEN_403,
              "permission_error",
              "account_inactive",
              "This account has no active subscription."));
    }
    String requestId = "req_" + UUID.randomUUID().toString().replace("-", "");
    // The completion's own id (its usage record's key) replaces the request id of the filter: the
    // answer's x-request-id and the log lines say the same.
    response.header("x-request-id", requestId);
    LogContext.renameRequest(requestId);
    ChatRequest chat;
    try {
      chat =
          ChatRequest.parse(
              RequestBodies.read(request, settings.maxBodyBytes()),
              limits.models(),
              settings.models(),
              settings.defaultMaxTokens());
    } catch (OpenAiError refused) {
      throw refused(limits, started, refused);
    }
    Admission admission;
    try {
      admission = limiter.admit(grant, limits, requestId, chat.estimatedTokens(), holdFor);
    } catch (OpenAiError refused) {
      // The limiter counted it with its counters.
      rejected(refused, started);
      throw refused;
    }
    return new Exchange(requestId, grant, limits, chat, admission, started);
  }

  // PostgreSQL down is a 503 the client retries, in OpenAI's shape (no 500).
  private RuntimeException unavailableOr(RuntimeException failure) {
    if (!(failure instanceof OpenAiError) && SqlErrors.unavailable(failure)) {
      LOG.log(Level.WARNING, "PostgreSQL unavailable and not in the caches", failure);
      OpenAiError unavailable = OpenAiError.unavailable();
      metrics.rejected(unavailable.code());
      return unavailable;
    }
    return failure;
  }

  /**
   * A request refused after authentication: counted for its customer's period (not recorded one by
   * one: a client looping over a refusal must not become a write load) and in the metrics.
   */
  private OpenAiError refused(CustomerLimits limits, long started, OpenAiError refusal) {
    rejected(refusal, started);
    try {
      limiter.refused(limits);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "a refusal of " + limits.customerId() + " was not counted", e);
    }
    return refusal;
  }

  private void rejected(OpenAiError refusal, long started) {
    metrics.rejected(refusal.code());
    metrics.request(UsageOutcome.REJECTED.dbValue());
    metrics.overhead(System.nanoTime() - started);
  }

  private TokenGrant authenticate(ServerRequest request) {
    try {
      return authenticator.authenticate(
          request.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
    } catch (OpenAiError e) {
      metrics.rejected(e.code());
      throw e;
    }
  }

  /** One admitted request on its way upstream and back; always settles its hold. */
  private final class Exchange {
    private final String requestId;
    private final TokenGrant grant;
    private final CustomerLimits limits;
    private final ChatRequest chat;
    private final Admission admission;
    private final long started;
    private long upstreamNanos;
    private boolean settled;

    Exchange(
        String requestId,
        TokenGrant grant,
        CustomerLimits limits,
        ChatRequest chat,
        Admission admission,
        long started) {
      this.requestId = requestId;
      this.grant = grant;
      this.limits = limits;
      this.chat = chat;
      this.admission = admission;
      this.started = started;
    }

    void run(ServerResponse response) {
      try {
        forward(response);
      } catch (RuntimeException | Error e) {
        // Whatever broke, the hold goes back and the request is on record.
        settle(Usage.NONE, UsageOutcome.UPSTREAM_ERROR);
        throw e;
      }
    }

    private void forward(ServerResponse response) {
      long sent = System.nanoTime();
      try (Upstream.Answer answer = upstream.send(chat.upstreamBody(), chat.stream())) {
        if (answer.status() != 200) {
          refusedUpstream(answer, response, sent);
        } else if (chat.stream()) {
          stream(answer, response, sent);
        } else {
          whole(answer, response, sent);
        }
      } catch (Upstream.Unreachable e) {
        throw unreachable(sent, e);
      }
    }

    private OpenAiError unreachable(long sent, Throwable failure) {
      boolean timedOut = Upstream.timedOut(failure);
      metrics.upstreamError(timedOut ? "timeout" : "unreachable");
      LOG.warning(
          "the model provider "
              + (timedOut ? "did not answer in time" : "cannot be reached")
              + " ("
              + chat.model()
              + "): "
              + failure);
      return timedOut
          ? fail(
              sent,
              UsageOutcome.UPSTREAM_TIMEOUT,
              Status.GATEWAY_TIMEOUT_504,
              "upstream_timeout",
              "The model did not answer in time.")
          : fail(
              sent,
              UsageOutcome.UPSTREAM_ERROR,
              Status.BAD_GATEWAY_502,
              "upstream_unavailable",
              "The model provider cannot be reached.");
    }

    private void whole(Upstream.Answer answer, ServerResponse response, long sent) {
      byte[] body;
      try (InputStream in = answer.body()) {
        body = in.readAllBytes();
      } catch (IOException | RuntimeException e) {
        throw unreachable(sent, e);
      }
      upstreamNanos = System.nanoTime() - sent;
      Usage used;
      try {
        used = Usage.in(Json.MAPPER.readTree(body)).orElseGet(this::estimateWithoutAnswer);
      } catch (IOException e) {
        used = estimateWithoutAnswer();
      }
      // The client has its answer before the books are kept.
      response.header(HeaderNames.CONTENT_TYPE, "application/json");
      response.send(body);
      settle(used, UsageOutcome.OK);
    }

    private void stream(Upstream.Answer answer, ServerResponse response, long sent) {
      response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
      response.header(HeaderNames.CACHE_CONTROL, "no-cache");
      SseRelay relay = new SseRelay();
      boolean broken = false;
      try (InputStream in = answer.body();
          OutputStream out = response.outputStream()) {
        relay.relay(in, out);
      } catch (IOException | RuntimeException e) {
        // Either side went away mid-stream (closing a response to a client that left fails too);
        // what was relayed is accounted below.
        broken = true;
        LOG.log(Level.FINE, requestId + ": stream ended early", e);
      }
      upstreamNanos = System.nanoTime() - sent;
      Usage used =
          relay
              .reportedUsage()
              .orElseGet(() -> new Usage(chat.promptEstimate(), relay.chunks(), 0, 0, true));
      if (broken && !relay.clientGone()) {
        metrics.upstreamError("stream_broken");
      }
      UsageOutcome outcome =
          relay.clientGone()
              ? UsageOutcome.CLIENT_CANCELLED
              : broken ? UsageOutcome.UPSTREAM_ERROR : UsageOutcome.OK;
      settle(used, outcome);
    }

    // 4xx from the upstream is the client's to see; 5xx becomes our 502.
    private void refusedUpstream(Upstream.Answer answer, ServerResponse response, long sent) {
      byte[] body;
      try (InputStream in = answer.body()) {
        body = in.readAllBytes();
      } catch (IOException | RuntimeException e) {
        body = new byte[0];
      }
      if (answer.status() >= 500 || answer.status() < 400) {
        metrics.upstreamError("bad_status");
        LOG.warning(
            "the model provider answered HTTP " + answer.status() + " (" + chat.model() + ")");
        throw fail(
            sent,
            UsageOutcome.UPSTREAM_ERROR,
            Status.BAD_GATEWAY_502,
            "upstream_error",
            "The model provider failed (HTTP " + answer.status() + ").");
      }
      upstreamNanos = System.nanoTime() - sent;
      settle(Usage.NONE, UsageOutcome.UPSTREAM_ERROR);
      response.status(Status.create(answer.status()));
      response.header(HeaderNames.CONTENT_TYPE, "application/json");
      response.send(body);
    }

    private Usage estimateWithoutAnswer() {
      return new Usage(chat.promptEstimate(), 0, 0, 0, true);
    }

    /** Once per request: the hold settled to what was used, and the usage on record. */
    private void settle(Usage used, UsageOutcome outcome) {
      if (settled) {
        return;
      }
      settled = true;
      UsageEvent event =
          event(requestId, grant, chat.model(), used, outcome, upstreamNanos, started);
      try {
        int crossed = limiter.settle(admission, event);
        if (crossed > 0) {
          warnings.crossed(grant.customerId(), limits.periodStart(), crossed);
        }
      } catch (RuntimeException e) {
        // Redis is gone: the hold lapses by itself; the answer was given, only its record is lost.
        LOG.log(Level.SEVERE, "usage of " + requestId + " could not be settled", e);
      }
      metrics.tokens(chat.model(), used.prompt(), used.completion());
    }

    private OpenAiError fail(
        long sent, UsageOutcome outcome, Status status, String code, String message) {
      upstreamNanos = System.nanoTime() - sent;
      settle(Usage.NONE, outcome);
      return OpenAiError.of(status, "api_error", code, message);
    }
  }

  private UsageEvent event(
      String requestId,
      TokenGrant grant,
      String model,
      Usage used,
      UsageOutcome outcome,
      long upstreamNanos,
      long started) {
    long overhead = System.nanoTime() - started - upstreamNanos;
    metrics.request(outcome.dbValue());
    metrics.overhead(overhead);
    if (upstreamNanos > 0) {
      metrics.upstream(outcome.dbValue(), upstreamNanos);
    }
    return new UsageEvent(
        requestId,
        grant.customerId(),
        grant.boxId(),
        model,
        used.prompt(),
        used.completion(),
        used.cached(),
        used.reasoning(),
        outcome,
        used.estimated(),
        upstreamNanos > 0 ? (int) (upstreamNanos / 1_000_000) : null,
        (int) Math.min(Integer.MAX_VALUE, overhead / 1000),
        // The period an event counts in is the one its time falls in (UsageStore).
        clock.instant(),
        null);
  }
}
