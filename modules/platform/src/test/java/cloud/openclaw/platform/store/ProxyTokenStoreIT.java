package cloud.openclaw.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.crypto.ProxyTokens;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.IssuedToken;
import cloud.openclaw.platform.domain.ProxyToken;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.testkit.TestPostgres;
import io.helidon.dbclient.DbRow;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProxyTokenStoreIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  static Database db;
  static SecretBox secrets;
  static ProxyTokenStore tokens;

  @BeforeAll
  static void migrate() {
    db = StoreFixtures.connect(postgres);
    secrets = StoreFixtures.secretBox();
    tokens = new ProxyTokenStore(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static Box box() {
    return StoreFixtures.customerWithBox(db, secrets);
  }

  @Test
  void issuesATokenShownOnceAndStoredOnlyAsItsHash() {
    Box box = box();

    IssuedToken issued = tokens.issue(db.execute(), box.id());

    assertThat(ProxyTokens.looksLikeToken(issued.token())).isTrue();
    ProxyToken stored = issued.proxyToken();
    assertThat(stored.boxId()).isEqualTo(box.id());
    assertThat(stored.status()).isEqualTo(ProxyTokenStatus.ACTIVE);
    assertThat(stored.tokenHash()).isEqualTo(ProxyTokens.hash(issued.token()));
    assertThat(stored.tokenPrefix()).isEqualTo(ProxyTokens.visiblePrefix(issued.token()));
    assertThat(issued.toString()).doesNotContain(issued.token());
    // No column holds the token: the whole row as text does not contain its secret part.
    DbRow row =
        db.execute()
            .get("SELECT t::text AS whole FROM proxy_tokens t WHERE id = ?", stored.id())
            .orElseThrow();
    String secretPart = issued.token().substring(stored.tokenPrefix().length());
    assertThat(Rows.string(row, "whole")).doesNotContain(secretPart);
  }

  @Test
  void findsATokenByItselfOrItsHashOnly() {
    IssuedToken issued = tokens.issue(db.execute(), box().id());

    assertThat(tokens.findByToken(issued.token())).contains(issued.proxyToken());
    assertThat(tokens.findByHash(db.execute(), ProxyTokens.hash(issued.token())))
        .contains(issued.proxyToken());
    assertThat(tokens.findByToken(ProxyTokens.generate())).isEmpty();
    assertThat(tokens.findByToken("not a token")).isEmpty();
    assertThat(tokens.findByToken(db.execute(), null)).isEmpty();
  }

  @Test
  void onlyALiveBoxGetsATokenIssued() {
    assertThatThrownBy(() -> tokens.issue(db.execute(), UUID.randomUUID()))
        .isInstanceOf(NotFoundException.class);

    Box box = box();
    new BoxStore(db, secrets)
        .markObserved(db.execute(), box.id(), BoxObservedState.DESTROYED, null);
    assertThatThrownBy(() -> tokens.issue(db.execute(), box.id()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void suspensionCanBeUndoneAndRevocationSetsItsTime() {
    ProxyToken token = tokens.issue(db.execute(), box().id()).proxyToken();

    ProxyToken suspended = tokens.setStatus(db.execute(), token.id(), ProxyTokenStatus.SUSPENDED);
    assertThat(suspended.status()).isEqualTo(ProxyTokenStatus.SUSPENDED);
    assertThat(suspended.revokedAt()).isNull();
    assertThat(tokens.setStatus(db.execute(), token.id(), ProxyTokenStatus.ACTIVE).isActive())
        .isTrue();

    ProxyToken revoked = tokens.revoke(db.execute(), token.id());
    assertThat(revoked.status()).isEqualTo(ProxyTokenStatus.REVOKED);
    assertThat(revoked.revokedAt()).isNotNull();
  }

  @Test
  void aRevokedTokenCannotBeReactivated() {
    ProxyToken token = tokens.issue(db.execute(), box().id()).proxyToken();
    ProxyToken revoked = tokens.revoke(db.execute(), token.id());

    for (ProxyTokenStatus other :
        new ProxyTokenStatus[] {ProxyTokenStatus.ACTIVE, ProxyTokenStatus.SUSPENDED}) {
      assertThatThrownBy(() -> tokens.setStatus(db.execute(), token.id(), other))
          .isInstanceOfSatisfying(
              ConflictException.class, e -> assertThat(e.code()).isEqualTo("token_revoked"));
    }
    // Revoking again is a no-op that keeps the first revocation time.
    assertThat(tokens.revoke(db.execute(), token.id()).revokedAt()).isEqualTo(revoked.revokedAt());
    assertThat(tokens.find(db.execute(), token.id()).orElseThrow().status())
        .isEqualTo(ProxyTokenStatus.REVOKED);
    assertThatThrownBy(() -> tokens.revoke(db.execute(), UUID.randomUUID()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void boxWideSuspensionLeavesRevokedTokensRevoked() {
    Box box = box();
    ProxyToken first = tokens.issue(db.execute(), box.id()).proxyToken();
    ProxyToken second = tokens.issue(db.execute(), box.id()).proxyToken();
    ProxyToken revoked = tokens.issue(db.execute(), box.id()).proxyToken();
    tokens.revoke(db.execute(), revoked.id());
    assertThat(tokens.activeForBox(db.execute(), box.id()))
        .extracting(ProxyToken::id)
        .containsExactlyInAnyOrder(first.id(), second.id());

    assertThat(tokens.suspendForBox(db.execute(), box.id()))
        .extracting(ProxyToken::id)
        .containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(tokens.activeForBox(db.execute(), box.id())).isEmpty();

    assertThat(tokens.reactivateForBox(db.execute(), box.id()))
        .extracting(ProxyToken::id)
        .containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(tokens.find(db.execute(), revoked.id()).orElseThrow().status())
        .isEqualTo(ProxyTokenStatus.REVOKED);

    assertThat(tokens.revokeAllForBox(db.execute(), box.id()))
        .extracting(ProxyToken::id)
        .containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(tokens.listForBox(db.execute(), box.id()))
        .allSatisfy(t -> assertThat(t.revokedAt()).isNotNull())
        .hasSize(3);
    assertThat(tokens.reactivateForBox(db.execute(), box.id())).isEmpty();
  }

  @Test
  void lastUsedNeverMovesBack() {
    ProxyToken token = tokens.issue(db.execute(), box().id()).proxyToken();
    Instant at = Instant.parse("2025-05-01T10:00:00Z");

    tokens.touchLastUsed(db.execute(), token.id(), at);
    tokens.touchLastUsed(db.execute(), token.id(), at.minusSeconds(30));

    assertThat(tokens.find(db.execute(), token.id()).orElseThrow().lastUsedAt()).isEqualTo(at);
    tokens.touchLastUsed(db.execute(), token.id(), at.plusSeconds(30));
    assertThat(tokens.find(db.execute(), token.id()).orElseThrow().lastUsedAt())
        .isEqualTo(at.plusSeconds(30));
  }

  @Test
  void aPlatformAccountHasTokensOfItsOwnAndACustomerCannotGetOne() {
    CustomerStore customers = new CustomerStore(db);
    Customer account =
        customers.platformAccount(db.execute(), "setup@platform.openclaw.invalid", "platform");
    assertThat(customers.platformAccount(db.execute(), "SETUP@platform.openclaw.invalid", "x"))
        .isEqualTo(account);

    IssuedToken issued = tokens.issueForPlatformAccount(db.execute(), account.id());

    assertThat(issued.proxyToken().boxId()).isNull();
    assertThat(tokens.findOwnedByHash(db.execute(), ProxyTokens.hash(issued.token())))
        .hasValueSatisfying(owned -> assertThat(owned.customerId()).isEqualTo(account.id()));
    Customer customer = StoreFixtures.customer(db);
    assertThatThrownBy(() -> tokens.issueForPlatformAccount(db.execute(), customer.id()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> customers.platformAccount(db.execute(), customer.email(), "platform"))
        .isInstanceOf(ConflictException.class);
  }
}
