package cloud.openclaw.operator.jobs;

import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.runtime.GatewayRuntime;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.ProxyToken;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The box's secrets for its gateway. The proxy token's plaintext exists only at issue time, so
 * where the runtime keeps the box's secrets (the Kubernetes Secret, the box's directory) is where
 * it is kept: a token found there that the proxy still holds as active for this box is reused;
 * otherwise a new one is issued. Once the runtime holds it, {@link #revokeStale} revokes every
 * other token of the box, so a box ends with exactly one usable token. The gateway's own auth token
 * is likewise kept from the Secret, or made up once.
 */
public final class ProxyTokenStep {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final BoxStore boxes;
  private final ProxyTokenStore tokens;
  private final Database database;
  private final TokenProxyClient proxy;

  public ProxyTokenStep(BoxStore boxes, Database database, TokenProxyClient proxy) {
    this.boxes = boxes;
    this.database = database;
    this.tokens = new ProxyTokenStore(database);
    this.proxy = proxy;
  }

  /**
   * The secrets to write, the proxy token's id, whether it had to be issued now, and whether the
   * token kept is suspended (a paused box's).
   */
  public record Result(
      BoxResources.Secrets secrets, UUID tokenId, boolean issued, boolean suspended) {}

  public Result run(Box box, GatewayRuntime runtime) {
    Map<String, String> stored = runtime.storedSecrets(box);
    String proxyToken = stored.get(BoxResources.PROXY_TOKEN_KEY);
    ProxyToken kept = proxyToken == null ? null : usable(box, proxyToken).orElse(null);
    UUID keep = kept == null ? null : kept.id();
    boolean suspended = kept != null && kept.status() == ProxyTokenStatus.SUSPENDED;
    boolean issued = false;
    if (keep == null) {
      TokenProxyClient.IssuedToken token = proxy.issueToken(box.id());
      proxyToken = token.token();
      keep = token.id();
      issued = true;
    }
    String gatewayToken = stored.get(BoxResources.GATEWAY_TOKEN_KEY);
    if (gatewayToken == null || gatewayToken.isBlank()) {
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      gatewayToken = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
    return new Result(
        new BoxResources.Secrets(boxes.openBotToken(box), proxyToken, gatewayToken),
        keep,
        issued,
        suspended);
  }

  /**
   * Revokes every token of the box but the one in use. Called once the runtime holds that one, so a
   * running gateway never loses its access before its replacement is in place.
   */
  public void revokeStale(Box box, Result kept) {
    for (ProxyToken stale : tokens.listForBox(database.execute(), box.id())) {
      if (!stale.id().equals(kept.tokenId()) && stale.status() != ProxyTokenStatus.REVOKED) {
        proxy.revokeToken(stale.id());
      }
    }
  }

  /** The stored token when the proxy holds it as this box's and not revoked. */
  private Optional<ProxyToken> usable(Box box, String token) {
    return tokens
        .findByToken(token)
        .filter(t -> t.boxId().equals(box.id()))
        .filter(
            t -> t.status() == ProxyTokenStatus.ACTIVE || t.status() == ProxyTokenStatus.SUSPENDED);
  }
}
