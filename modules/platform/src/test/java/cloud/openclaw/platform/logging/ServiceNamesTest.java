package cloud.openclaw.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceNamesTest {
  @Test
  void eachServicesPackageNamesIt() {
    assertThat(ServiceNames.ofLogger("cloud.openclaw.api.me.MeService")).isEqualTo("api");
    assertThat(ServiceNames.ofLogger("cloud.openclaw.proxy.Main")).isEqualTo("token-proxy");
    assertThat(ServiceNames.ofLogger("cloud.openclaw.operator.jobs.BoxJobs")).isEqualTo("operator");
    assertThat(ServiceNames.ofLogger("cloud.openclaw.billing.events.EventProcessor"))
        .isEqualTo("billing-worker");
    assertThat(ServiceNames.ofLogger("cloud.openclaw.onboarding.Main"))
        .isEqualTo("onboarding-agent");
    assertThat(ServiceNames.ofLogger("cloud.openclaw.sandbox.Main")).isEqualTo("sandbox");
  }

  @Test
  void sharedCodeAndLibrariesArePlatform() {
    assertThat(ServiceNames.ofLogger("cloud.openclaw.platform.jobs.JobWorker"))
        .isEqualTo("platform");
    assertThat(ServiceNames.ofLogger("cloud.openclaw.apiary.X")).isEqualTo("platform");
    assertThat(ServiceNames.ofLogger("io.helidon.webserver.LoomServer")).isEqualTo("platform");
    assertThat(ServiceNames.ofLogger(null)).isEqualTo("platform");
  }
}
