package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import cloud.openclaw.operator.kubernetes.BoxResources;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelStandardMacro;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ValidatingAdmissionPolicy that bounds the operator (nixos/platform, "30-operator-admission"),
 * its CEL evaluated as the API server does on sample admission requests: the variables object,
 * oldObject, request, params and namespaceObject, the match conditions first, then every
 * validation. The box objects are the operator's own (BoxResources), so a label renamed on either
 * side fails here.
 */
class OperatorAdmissionPolicyTest {
  private static final String OPERATOR = "system:serviceaccount:openclaw-system:openclaw-operator";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("object", SimpleType.DYN)
          .addVar("oldObject", SimpleType.DYN)
          .addVar("request", SimpleType.DYN)
          .addVar("params", SimpleType.DYN)
          .addVar("namespaceObject", SimpleType.DYN)
          .build();

  private static JsonNode policy;
  private static JsonNode binding;

  @BeforeAll
  static void render() throws Exception {
    JsonNode admission = PlatformRender.manifests().get("30-operator-admission");
    assertThat(admission).as("manifest 30-operator-admission").isNotNull();
    for (JsonNode object : admission) {
      switch (object.get("kind").asText()) {
        case "ValidatingAdmissionPolicy" -> policy = object;
        case "ValidatingAdmissionPolicyBinding" -> binding = object;
        default -> fail("unexpected " + object.get("kind"));
      }
    }
  }

  @Test
  void theBindingDeniesWhatThePolicyRefusesForTheOperatorsWrites() {
    assertThat(policy.at("/apiVersion").asText()).isEqualTo("admissionregistration.k8s.io/v1");
    assertThat(binding.at("/spec/policyName").asText())
        .isEqualTo(policy.at("/metadata/name").asText());
    assertThat(binding.at("/spec/validationActions").toString()).isEqualTo("[\"Deny\"]");
    assertThat(binding.at("/spec/matchResources").isMissingNode()).isTrue();
    assertThat(policy.at("/spec/failurePolicy").asText()).isEqualTo("Fail");
    JsonNode rule = policy.at("/spec/matchConstraints/resourceRules/0");
    assertThat(rule.get("operations").toString()).isEqualTo("[\"CREATE\",\"UPDATE\",\"DELETE\"]");
    assertThat(rule.get("resources").toString()).contains("\"*\"");
    assertThat(rule.get("apiGroups").toString()).isEqualTo("[\"*\"]");
  }

  @Test
  void theOperatorCreatesAndDeletesItsBoxNamespaces() {
    Map<String, Object> box = box("box-0a1b2c3d4e5f");
    assertThat(decide(OPERATOR, "CREATE", namespace(), box, null, null))
        .isEqualTo(Decision.ALLOWED);
    assertThat(decide(OPERATOR, "UPDATE", namespace(), box, box, null)).isEqualTo(Decision.ALLOWED);
    assertThat(decide(OPERATOR, "DELETE", namespace(), null, box, null))
        .isEqualTo(Decision.ALLOWED);
  }

  @Test
  void theOperatorCannotCreateANamespaceThatIsNoBox() {
    Map<String, Object> plain = plainNamespace("anything");
    assertThat(decide(OPERATOR, "CREATE", namespace(), plain, null, null))
        .isEqualTo(Decision.REFUSED);
    Map<String, Object> notTheBoxLabel = box("half-a-box");
    labels(notTheBoxLabel).remove(BoxResources.BOX_LABEL);
    assertThat(decide(OPERATOR, "CREATE", namespace(), notTheBoxLabel, null, null))
        .isEqualTo(Decision.REFUSED);
  }

  @Test
  void theOperatorCannotDeleteOrTakeOverOpenclawSystemEvenLabelledAsABox() {
    Map<String, Object> system = box("openclaw-system");
    assertThat(decide(OPERATOR, "DELETE", namespace(), null, system, null))
        .isEqualTo(Decision.REFUSED);
    assertThat(
            decide(OPERATOR, "DELETE", namespace(), null, plainNamespace("openclaw-system"), null))
        .isEqualTo(Decision.REFUSED);
    // Labelling another namespace as a box does not make it one.
    assertThat(
            decide(
                OPERATOR,
                "UPDATE",
                namespace(),
                box("kube-system"),
                plainNamespace("kube-system"),
                null))
        .isEqualTo(Decision.REFUSED);
  }

  @Test
  void theOperatorCannotLabelABoxNamespaceAway() {
    Map<String, Object> before = box("box-0a1b2c3d4e5f");
    Map<String, Object> after = box("box-0a1b2c3d4e5f");
    labels(after).put(BoxResources.MANAGED_BY_LABEL, "someone-else");
    assertThat(decide(OPERATOR, "UPDATE", namespace(), after, before, null))
        .isEqualTo(Decision.REFUSED);
  }

  @Test
  void theOperatorWritesObjectsOnlyInsideBoxNamespaces() {
    Map<String, Object> secret =
        Map.of(
            "apiVersion", "v1",
            "kind", "Secret",
            "metadata", Map.of("name", BoxResources.SECRETS));
    Map<String, Object> secrets = resource("", "v1", "secrets", "Secret");
    assertThat(decide(OPERATOR, "CREATE", secrets, secret, null, box("box-0a1b2c3d4e5f")))
        .isEqualTo(Decision.ALLOWED);
    assertThat(decide(OPERATOR, "UPDATE", secrets, secret, secret, plainNamespace("kube-system")))
        .isEqualTo(Decision.REFUSED);
    assertThat(decide(OPERATOR, "CREATE", secrets, secret, null, box("openclaw-system")))
        .isEqualTo(Decision.REFUSED);
    // Cluster-scoped objects have no namespace object: none but namespaces.
    Map<String, Object> clusterRoleBinding =
        Map.of(
            "kind",
            "ClusterRoleBinding",
            "metadata",
            Map.of("name", "mine"),
            "roleRef",
            Map.of("kind", "ClusterRole", "name", "cluster-admin"));
    assertThat(
            decide(
                OPERATOR,
                "CREATE",
                resource(
                    "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding"),
                clusterRoleBinding,
                null,
                null))
        .isEqualTo(Decision.REFUSED);
  }

  @Test
  void theOperatorBindsOnlyTheBoxSecretsRoleAndOnlyToItself() {
    Map<String, Object> labels = boxLabels();
    Map<String, Object> own =
        asMap(
            BoxResources.secretsAccess(
                "box-0a1b2c3d4e5f",
                new LinkedHashMap<>(
                    Map.of(
                        BoxResources.MANAGED_BY_LABEL,
                        BoxResources.MANAGED_BY,
                        BoxResources.BOX_LABEL,
                        labels.get(BoxResources.BOX_LABEL).toString()))));
    Map<String, Object> rolebindings =
        resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding");
    assertThat(decide(OPERATOR, "CREATE", rolebindings, own, null, box("box-0a1b2c3d4e5f")))
        .isEqualTo(Decision.ALLOWED);

    Map<String, Object> toTheGateway = asMap(own);
    @SuppressWarnings("unchecked")
    Map<String, Object> subject =
        ((List<Map<String, Object>>) toTheGateway.get("subjects")).getFirst();
    subject.put("name", BoxResources.SERVICE_ACCOUNT);
    subject.put("namespace", "box-0a1b2c3d4e5f");
    assertThat(
            decide(OPERATOR, "CREATE", rolebindings, toTheGateway, null, box("box-0a1b2c3d4e5f")))
        .isEqualTo(Decision.REFUSED);

    Map<String, Object> admin = asMap(own);
    @SuppressWarnings("unchecked")
    Map<String, Object> roleRef = (Map<String, Object>) admin.get("roleRef");
    roleRef.put("name", "admin");
    assertThat(decide(OPERATOR, "UPDATE", rolebindings, admin, own, box("box-0a1b2c3d4e5f")))
        .isEqualTo(Decision.REFUSED);
  }

  @Test
  void everyoneElseIsUnaffected() {
    for (String user :
        List.of("system:admin", "system:serviceaccount:kube-system:namespace-controller")) {
      assertThat(decide(user, "CREATE", namespace(), plainNamespace("anything"), null, null))
          .isEqualTo(Decision.NOT_MATCHED);
      assertThat(decide(user, "DELETE", namespace(), null, box("openclaw-system"), null))
          .isEqualTo(Decision.NOT_MATCHED);
    }
  }

  enum Decision {
    NOT_MATCHED,
    ALLOWED,
    REFUSED
  }

  /** The policy's verdict on one request, as the API server reaches it. */
  private static Decision decide(
      String user,
      String operation,
      Map<String, Object> resource,
      Map<String, Object> object,
      Map<String, Object> oldObject,
      Map<String, Object> namespaceObject) {
    Map<String, Object> source = object != null ? object : oldObject;
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) source.get("metadata");
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("operation", operation);
    request.put("userInfo", Map.of("username", user, "groups", List.of("system:authenticated")));
    request.put("resource", resource.get("resource"));
    request.put("kind", resource.get("kind"));
    request.put("name", metadata.get("name"));
    request.put(
        "namespace",
        namespaceObject == null ? "" : ((Map<?, ?>) namespaceObject.get("metadata")).get("name"));
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("request", request);
    variables.put("object", object == null ? NullValue.NULL_VALUE : object);
    variables.put("oldObject", oldObject == null ? NullValue.NULL_VALUE : oldObject);
    variables.put("params", NullValue.NULL_VALUE);
    variables.put(
        "namespaceObject", namespaceObject == null ? NullValue.NULL_VALUE : namespaceObject);
    for (JsonNode condition : policy.at("/spec/matchConditions")) {
      if (!evaluate(condition.get("expression").asText(), variables)) {
        return Decision.NOT_MATCHED;
      }
    }
    for (JsonNode validation : policy.at("/spec/validations")) {
      if (!evaluate(validation.get("expression").asText(), variables)) {
        return Decision.REFUSED;
      }
    }
    return Decision.ALLOWED;
  }

  private static boolean evaluate(String expression, Map<String, Object> variables) {
    try {
      CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
      Object result = CEL.createProgram(ast).eval(variables);
      assertThat(result).as(expression).isInstanceOf(Boolean.class);
      return (Boolean) result;
    } catch (Exception e) {
      throw new AssertionError("CEL " + expression + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> namespace() {
    return resource("", "v1", "namespaces", "Namespace");
  }

  private static Map<String, Object> resource(
      String group, String version, String plural, String kind) {
    return Map.of(
        "resource", Map.of("group", group, "version", version, "resource", plural),
        "kind", Map.of("group", group, "version", version, "kind", kind));
  }

  private static Map<String, Object> boxLabels() {
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put(BoxResources.MANAGED_BY_LABEL, BoxResources.MANAGED_BY);
    labels.put(BoxResources.CUSTOMER_LABEL, UUID.randomUUID().toString());
    labels.put(BoxResources.BOX_LABEL, UUID.randomUUID().toString());
    return labels;
  }

  /** A namespace as the operator writes it (BoxResources), with the given name. */
  private static Map<String, Object> box(String name) {
    Map<String, String> labels = new LinkedHashMap<>();
    boxLabels().forEach((k, v) -> labels.put(k, v.toString()));
    return asMap(BoxResources.namespace(name, labels));
  }

  private static Map<String, Object> plainNamespace(String name) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    metadata.put("labels", new LinkedHashMap<>(Map.of("kubernetes.io/metadata.name", name)));
    Map<String, Object> namespace = new LinkedHashMap<>();
    namespace.put("apiVersion", "v1");
    namespace.put("kind", "Namespace");
    namespace.put("metadata", metadata);
    return namespace;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> labels(Map<String, Object> object) {
    return (Map<String, Object>) ((Map<String, Object>) object.get("metadata")).get("labels");
  }

  /** A mutable deep copy as the JSON the API server sees. */
  private static Map<String, Object> asMap(Object value) {
    try {
      String json =
          value instanceof Map<?, ?> ? JSON.writeValueAsString(value) : Serialization.asJson(value);
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
