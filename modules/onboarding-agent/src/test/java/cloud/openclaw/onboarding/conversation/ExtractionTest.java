package cloud.openclaw.onboarding.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a message says without a model: only the unambiguous. */
class ExtractionTest {
  static final List<String> PLANS = List.of("starter", "pro");
  static final String TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_-x";

  @Test
  void findsATokenAnEmailAndAPlanInOneMessageAndRedactsTheToken() {
    Extraction facts =
        Extraction.of(
            "token " + TOKEN + ", the pro plan, mail Me@Example.org", Slot.USE_CASE, PLANS);

    assertThat(facts.tokens()).containsExactly(TOKEN);
    assertThat(facts.emails()).containsExactly("Me@Example.org");
    assertThat(facts.plans()).containsExactly("pro");
    assertThat(facts.redacted()).doesNotContain(TOKEN).contains("[bot token]");
    // The bot id inside the token is no Telegram user id.
    assertThat(facts.telegramIds()).isEmpty();
  }

  @Test
  void aPlanNameIsOnlyAPlanWhenPlansAreTalkedAbout() {
    assertThat(Extraction.of("a pro assistant for my bills", Slot.USE_CASE, PLANS).plans())
        .isEmpty();
    assertThat(Extraction.of("pro", Slot.PLAN, PLANS).plans()).containsExactly("pro");
    Extraction asked = Extraction.of("is the pro plan faster?", Slot.EMAIL, PLANS);
    assertThat(asked.plans()).containsExactly("pro");
    assertThat(asked.question()).isTrue();
  }

  @Test
  void numbersAreTelegramIdsOnlyWhenAskedForOrAllowed() {
    assertThat(Extraction.of("remind me at 20000 steps", Slot.USE_CASE, PLANS).telegramIds())
        .isEmpty();
    assertThat(Extraction.of("12345678, 87654321", Slot.ALLOWED_USERS, PLANS).telegramIds())
        .containsExactly(12345678L, 87654321L);
    assertThat(Extraction.of("also allow 55555555", Slot.EMAIL, PLANS).telegramIds())
        .containsExactly(55555555L);
  }

  @Test
  void steeringWords() {
    assertThat(Extraction.of("Back", Slot.PLAN, PLANS).back()).isTrue();
    assertThat(Extraction.of("yes!", Slot.CONFIRM, PLANS).yes()).isTrue();
    assertThat(Extraction.of("yes, but use pro", Slot.CONFIRM, PLANS).yes()).isFalse();
    assertThat(Extraction.of("just me", Slot.ALLOWED_USERS, PLANS).nobodyElse()).isTrue();
    assertThat(Extraction.of("change my email", Slot.CONFIRM, PLANS).change())
        .isEqualTo(Slot.EMAIL);
    assertThat(Extraction.of("wrong plan", Slot.CONFIRM, PLANS).change()).isEqualTo(Slot.PLAN);
    // A long description that happens to say "change" describes, it does not steer.
    assertThat(
            Extraction.of(
                    "a bot that helps me change my diet and track what I eat every single day",
                    Slot.USE_CASE,
                    PLANS)
                .change())
        .isNull();
  }

  @Test
  void twoEmailsAreBothFoundSoNeitherIsTaken() {
    assertThat(Extraction.of("a@b.example or c@d.example", Slot.EMAIL, PLANS).emails()).hasSize(2);
  }
}
