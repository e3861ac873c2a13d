package cloud.openclaw.proxy;

import cloud.openclaw.platform.domain.UsageEvent;
import cloud.openclaw.platform.domain.UsageOutcome;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.proxy.auth.Authenticator;
import cloud.openclaw.proxy.auth.CustomerLimits;
import cloud.openclaw.proxy.auth.TokenGrant;
import cloud.openclaw.proxy.limits.Admission;
import cloud.openclaw.proxy.limits.Limiter;
import cloud.openclaw.proxy.limits.UsageWarnings;
import cloud.openclaw.proxy.metering.UsageBuffer;
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
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
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
  private final UsageBuffer usage;
  private final UsageWarnings warnings;
  private final ProxyMetrics metrics;
  private final ProxySettings settings;
  private final Duration holdFor;

  CompletionsService(
      Authenticator authenticator,
      Limiter limiter,
      Upstream upstream,
      UsageBuffer usage,
      UsageWarnings warnings,
      ProxyMetrics metrics,
      ProxySettings settings) {
    this.authenticator = authenticator;
    this.limiter = limiter;
    this.upstream = upstream;
    this.usage = usage;
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
    TokenGrant grant = authenticate(request);
    CustomerLimits limits = authenticator.limits(grant.customerId());
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
    TokenGrant grant = authenticate(request);
    CustomerLimits limits = authenticator.limits(grant.customerId());
    if (!limits.active()) {
      metrics.rejected("inactive");
      throw OpenAiError.of(
          Status.FORBIDDEN_403,
          "permission_error",
          "account_inactive",
          "This account has no active subscription.");
    }
    String requestId = "req_" + UUID.randomUUID().toString().replace("-", "");
    response.header("x-request-id", requestId);
    ChatRequest chat;
    Admission admission;
    try {
      chat =
          ChatRequest.parse(
              RequestBodies.read(request, settings.maxBodyBytes()),
              limits.models(),
              settings.models(),
              settings.defaultMaxTokens());
      admission = limiter.admit(grant, limits, requestId, chat.estimatedTokens(), holdFor);
    } catch (OpenAiError refused) {
      metrics.rejected(refused.code());
      meter(requestId, grant, "-", Usage.NONE, UsageOutcome.REJECTED, null, started);
      throw refused;
    }
    new Exchange(requestId, grant, limits, chat, admission, started).run(response);
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
        if (!settled) {
          // Whatever broke, the hold goes back and the request is on record.
          settled = true;
          limiter.release(admission);
          meter(
              requestId,
              grant,
              chat.model(),
              Usage.NONE,
              UsageOutcome.UPSTREAM_ERROR,
              null,
              started);
        }
        throw e;
      }
    }

    private void forward(ServerResponse response) {
      long sent = System.nanoTime();
      HttpResponse<InputStream> answer;
      try {
        answer = upstream.send(chat.upstreamBody(), chat.stream());
      } catch (HttpTimeoutException e) {
        throw fail(
            sent,
            UsageOutcome.UPSTREAM_TIMEOUT,
            Status.GATEWAY_TIMEOUT_504,
            "upstream_timeout",
            "The model did not answer in time.");
      } catch (IOException e) {
        throw fail(
            sent,
            UsageOutcome.UPSTREAM_ERROR,
            Status.BAD_GATEWAY_502,
            "upstream_unavailable",
            "The model provider cannot be reached.");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail(
            sent,
            UsageOutcome.UPSTREAM_ERROR,
            Status.BAD_GATEWAY_502,
            "upstream_unavailable",
            "The request was interrupted.");
      }
      if (answer.statusCode() != 200) {
        refusedUpstream(answer, response, sent);
        return;
      }
      if (chat.stream()) {
        stream(answer, response, sent);
      } else {
        whole(answer, response, sent);
      }
    }

    private void whole(HttpResponse<InputStream> answer, ServerResponse response, long sent) {
      byte[] body;
      try (InputStream in = answer.body()) {
        body = in.readAllBytes();
      } catch (IOException e) {
        throw fail(
            sent,
            UsageOutcome.UPSTREAM_ERROR,
            Status.BAD_GATEWAY_502,
            "upstream_error",
            "The model's answer broke off.");
      }
      upstreamNanos = System.nanoTime() - sent;
      Usage used;
      try {
        used = Usage.in(Json.MAPPER.readTree(body)).orElseGet(this::estimateWithoutAnswer);
      } catch (IOException e) {
        used = estimateWithoutAnswer();
      }
      finish(used, UsageOutcome.OK);
      response.header(HeaderNames.CONTENT_TYPE, "application/json");
      response.send(body);
    }

    private void stream(HttpResponse<InputStream> answer, ServerResponse response, long sent) {
      response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
      response.header(HeaderNames.CACHE_CONTROL, "no-cache");
      SseRelay relay = new SseRelay();
      try (InputStream in = answer.body();
          OutputStream out = response.outputStream()) {
        relay.relay(in, out);
      } catch (IOException | RuntimeException e) {
        // The client or the upstream went away mid-stream (closing a response to a client that left
        // fails too); what was relayed is accounted below.
        LOG.log(Level.FINE, requestId + ": stream ended early", e);
      }
      upstreamNanos = System.nanoTime() - sent;
      Usage used =
          relay
              .reportedUsage()
              .orElseGet(() -> new Usage(chat.promptEstimate(), relay.chunks(), 0, 0, true));
      finish(used, relay.clientGone() ? UsageOutcome.CLIENT_CANCELLED : UsageOutcome.OK);
    }

    // 4xx from the upstream is the client's to see; 5xx becomes our 502.
    private void refusedUpstream(
        HttpResponse<InputStream> answer, ServerResponse response, long sent) {
      byte[] body;
      try (InputStream in = answer.body()) {
        body = in.readAllBytes();
      } catch (IOException e) {
        body = new byte[0];
      }
      if (answer.statusCode() >= 500 || answer.statusCode() < 400) {
        throw fail(
            sent,
            UsageOutcome.UPSTREAM_ERROR,
            Status.BAD_GATEWAY_502,
            "upstream_error",
            "The model provider failed (HTTP " + answer.statusCode() + ").");
      }
      upstreamNanos = System.nanoTime() - sent;
      settled = true;
      limiter.release(admission);
      meter(
          requestId,
          grant,
          chat.model(),
          Usage.NONE,
          UsageOutcome.UPSTREAM_ERROR,
          upstreamNanos,
          started);
      response.status(Status.create(answer.statusCode()));
      response.header(HeaderNames.CONTENT_TYPE, "application/json");
      response.send(body);
    }

    private Usage estimateWithoutAnswer() {
      return new Usage(chat.promptEstimate(), 0, 0, 0, true);
    }

    private void finish(Usage used, UsageOutcome outcome) {
      settled = true;
      if (limiter.settle(admission, used.total())) {
        warnings.crossed(grant.customerId(), limits.periodStart());
      }
      metrics.tokens(chat.model(), used.prompt(), used.completion());
      meter(requestId, grant, chat.model(), used, outcome, upstreamNanos, started);
    }

    private OpenAiError fail(
        long sent, UsageOutcome outcome, Status status, String code, String message) {
      upstreamNanos = System.nanoTime() - sent;
      settled = true;
      limiter.release(admission);
      meter(requestId, grant, chat.model(), Usage.NONE, outcome, upstreamNanos, started);
      return OpenAiError.of(status, "api_error", code, message);
    }
  }

  private void meter(
      String requestId,
      TokenGrant grant,
      String model,
      Usage used,
      UsageOutcome outcome,
      Long upstreamNanos,
      long started) {
    long overhead = System.nanoTime() - started - (upstreamNanos == null ? 0 : upstreamNanos);
    metrics.request(outcome.dbValue());
    metrics.overhead(overhead);
    if (upstreamNanos != null) {
      metrics.upstream(upstreamNanos);
    }
    UsageEvent event =
        new UsageEvent(
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
            upstreamNanos == null ? null : (int) (upstreamNanos / 1_000_000),
            (int) Math.min(Integer.MAX_VALUE, overhead / 1000),
            Instant.now(),
            null);
    try {
      usage.append(event);
    } catch (RuntimeException e) {
      // Redis is down: the request was served; its tokens are settled; only the record is lost.
      LOG.log(Level.SEVERE, "usage of " + requestId + " could not be buffered", e);
    }
  }
}
