# The platform's Kubernetes objects as plain data: builtins only, no nixpkgs. So
#   nix-instantiate --eval --strict --json nixos/platform/render.nix
# renders them anywhere (CI's DeploymentManifestsTest asserts on that JSON), and
# nixos/platform/module.nix hands them to K3s as auto-deploy manifests on the control plane.
#
# Result: { manifests.<file> = [ objects ]; secrets.<k8s secret>.<key> = "<sops key>"; services; }
# `secrets` only names where each value comes from: the values are sops-encrypted
# (nixos/secrets/cluster.yaml) and rendered into Secrets on the node by module.nix.
{
  cluster ? import ../cluster.nix,
}:
let
  services = import ./services.nix;
  ns = "openclaw-system";
  svcHost = name: "${name}.${ns}.svc.cluster.local";
  partOf = "openclaw-cloud";

  # Pinned charts, installed by K3s' helm-controller (HelmChart objects).
  charts = {
    cert-manager = {
      repo = "https://charts.jetstack.io";
      version = "v1.19.1";
      namespace = "cert-manager";
    };
    ingress-nginx = {
      repo = "https://kubernetes.github.io/ingress-nginx";
      version = "4.14.0";
      namespace = "ingress-nginx";
    };
  };
  images = {
    postgres = "docker.io/library/postgres:17-alpine";
    redis = "docker.io/library/redis:7-alpine";
  };
  database = {
    name = "openclaw";
    user = "openclaw";
  };

  # Kubernetes Secret name -> key -> the sops key (nixos/secrets/cluster.yaml) its value comes from.
  secrets = {
    openclaw-db.password = "postgres-password";
    openclaw-redis.password = "redis-password";
    openclaw-crypto = {
      keys = "crypto-keys";
      active-key = "crypto-active-key";
    };
    openclaw-proxy = {
      internal-token = "proxy-internal-token";
      kimi-api-key = "kimi-api-key";
    };
    # The api's session signing keys (api.auth.jwt.*).
    openclaw-sessions = {
      jwt-keys = "api-jwt-keys";
      jwt-active-key = "api-jwt-active-key";
    };
    openclaw-stripe = {
      secret-key = "stripe-secret-key";
      webhook-secret = "stripe-webhook-secret";
    };
    openclaw-mail = {
      username = "smtp-username";
      password = "smtp-password";
    };
    # The api and the onboarding agent hold the same internal token and setup bot token.
    openclaw-onboarding = {
      internal-token = "onboarding-internal-token";
      setup-bot-token = "onboarding-setup-bot-token";
      model-api-key = "onboarding-model-api-key";
    };
  };

  labelsOf = name: {
    "app.kubernetes.io/name" = name;
    "app.kubernetes.io/part-of" = partOf;
  };
  meta = name: {
    inherit name;
    namespace = ns;
    labels = labelsOf name;
  };
  plain = name: value: { inherit name value; };
  fromSecret = name: secret: key: {
    inherit name;
    valueFrom.secretKeyRef = {
      name = secret;
      inherit key;
    };
  };
  forServices = f: builtins.attrValues (builtins.mapAttrs f services);
  # Prometheus, Alertmanager, Grafana, exporters, alert rules, dashboards (./monitoring.nix).
  monitoring = import ./monitoring.nix {
    inherit services ns labelsOf meta restricted fromSecret plain database;
  };
  # pgBackRest: WAL archiving and nightly base backups to S3 (./backups.nix).
  backups = import ./backups.nix { inherit cluster ns meta plain fromSecret restricted database; };
  # Disruption budgets and the gateway image on every node (./capacity.nix).
  capacity = import ./capacity.nix { inherit cluster ns services labelsOf meta; };

  # --- cluster add-ons ---------------------------------------------------------------------------
  helmChart = name: values: {
    apiVersion = "helm.cattle.io/v1";
    kind = "HelmChart";
    metadata = {
      inherit name;
      namespace = "kube-system";
    };
    spec = {
      chart = name;
      inherit (charts.${name}) repo version;
      targetNamespace = charts.${name}.namespace;
      createNamespace = true;
      # YAML is a superset of JSON.
      valuesContent = builtins.toJSON values;
    };
  };

  certManager = [
    (helmChart "cert-manager" {
      crds.enabled = true;
    })
  ];

  ingressNginx = [
    (helmChart "ingress-nginx" {
      controller = {
        kind = "DaemonSet";
        ingressClassResource.default = true;
        # K3s' servicelb publishes the LoadBalancer on every node's 80/443.
        service.type = "LoadBalancer";
        service.externalTrafficPolicy = "Local";
        allowSnippetAnnotations = false;
        config = {
          use-forwarded-headers = "false";
          # The token proxy streams completions (SSE) and the onboarding relay is a WebSocket.
          proxy-read-timeout = "300";
          proxy-send-timeout = "300";
        };
        metrics.enabled = true;
      };
    })
  ];

  clusterIssuer = [
    {
      apiVersion = "cert-manager.io/v1";
      kind = "ClusterIssuer";
      metadata.name = "letsencrypt";
      spec.acme = {
        server = "https://acme-v02.api.letsencrypt.org/directory";
        email = cluster.acmeEmail;
        privateKeySecretRef.name = "letsencrypt-account";
        solvers = [ { http01.ingress.ingressClassName = "nginx"; } ];
      };
    }
  ];

  namespaces = [
    {
      apiVersion = "v1";
      kind = "Namespace";
      metadata = {
        name = ns;
        labels = {
          "app.kubernetes.io/part-of" = partOf;
          # Our own pods meet "restricted"; PostgreSQL and Redis too (non-root, no privileges).
          "pod-security.kubernetes.io/enforce" = "restricted";
          "pod-security.kubernetes.io/enforce-version" = "latest";
        };
      };
    }
  ];

  # --- the operator's identity (same rules as modules/operator/src/main/resources/operator/rbac.yaml)
  boxSecretsRole = "openclaw-operator-box-secrets";
  operatorRbac = [
    {
      apiVersion = "v1";
      kind = "ServiceAccount";
      metadata = {
        name = "openclaw-operator";
        namespace = ns;
        labels = labelsOf "openclaw-operator";
      };
    }
    {
      apiVersion = "rbac.authorization.k8s.io/v1";
      kind = "ClusterRole";
      metadata = {
        name = "openclaw-operator";
        labels = labelsOf "openclaw-operator";
      };
      rules = [
        {
          apiGroups = [ "" ];
          resources = [ "namespaces" ];
          verbs = [ "get" "list" "create" "update" "delete" ];
        }
        {
          apiGroups = [ "" ];
          resources = [ "resourcequotas" "limitranges" "serviceaccounts" ];
          verbs = [ "get" "create" "update" ];
        }
        # No Secret cluster-wide: the operator binds boxSecretsRole in each box namespace it makes.
        {
          apiGroups = [ "rbac.authorization.k8s.io" ];
          resources = [ "rolebindings" ];
          verbs = [ "get" "create" "update" ];
        }
        {
          apiGroups = [ "rbac.authorization.k8s.io" ];
          resources = [ "clusterroles" ];
          verbs = [ "bind" ];
          resourceNames = [ boxSecretsRole ];
        }
        {
          apiGroups = [ "" ];
          resources = [ "persistentvolumeclaims" ];
          verbs = [ "get" "create" "patch" ];
        }
        {
          apiGroups = [ "networking.k8s.io" ];
          resources = [ "networkpolicies" ];
          verbs = [ "get" "create" "update" ];
        }
        {
          apiGroups = [ "" ];
          resources = [ "pods" ];
          verbs = [ "list" ];
        }
        {
          apiGroups = [ "apps" ];
          resources = [ "deployments" ];
          verbs = [ "get" "list" "create" "update" "patch" ];
        }
        # The workspace archive Job of a box being destroyed, and the nightly snapshot Job of a
        # running box (operator.workspaces.s3).
        {
          apiGroups = [ "batch" ];
          resources = [ "jobs" ];
          verbs = [ "get" "create" ];
        }
      ];
    }
    # Bound only inside box namespaces (the operator's RoleBinding openclaw-operator-secrets there).
    {
      apiVersion = "rbac.authorization.k8s.io/v1";
      kind = "ClusterRole";
      metadata = {
        name = boxSecretsRole;
        labels = labelsOf "openclaw-operator";
      };
      rules = [
        {
          apiGroups = [ "" ];
          resources = [ "secrets" ];
          verbs = [ "get" "create" "update" ];
        }
      ];
    }
    {
      apiVersion = "rbac.authorization.k8s.io/v1";
      kind = "ClusterRoleBinding";
      metadata = {
        name = "openclaw-operator";
        labels = labelsOf "openclaw-operator";
      };
      subjects = [
        {
          kind = "ServiceAccount";
          name = "openclaw-operator";
          namespace = ns;
        }
      ];
      roleRef = {
        apiGroup = "rbac.authorization.k8s.io";
        kind = "ClusterRole";
        name = "openclaw-operator";
      };
    }
  ];

  # --- what the operator may write: box namespaces and what is in them, nothing else -------------
  # RBAC cannot say "only namespaces with this label", so a ValidatingAdmissionPolicy (CEL, GA since
  # Kubernetes 1.30) refuses every other write of the operator's ServiceAccount, whatever its
  # ClusterRole grants: a namespace it creates, changes or deletes must be labelled as a box (before
  # and after), a namespaced object must be in such a namespace, openclaw-system never, no other
  # cluster-scoped object, and its RoleBindings only give itself boxSecretsRole. Labels: the
  # operator's BoxResources (MANAGED_BY_LABEL, BOX_LABEL).
  operatorUser = "system:serviceaccount:${ns}:openclaw-operator";
  managedByLabel = "app.kubernetes.io/managed-by";
  boxLabel = "openclaw.cloud/box";
  isBoxNamespace =
    o:
    "(${o}.metadata.name != '${ns}' && has(${o}.metadata.labels)"
    + " && '${managedByLabel}' in ${o}.metadata.labels"
    + " && ${o}.metadata.labels['${managedByLabel}'] == 'openclaw-operator'"
    + " && '${boxLabel}' in ${o}.metadata.labels)";
  isNamespace = "(request.resource.group == '' && request.resource.resource == 'namespaces')";
  operatorAdmission = [
    {
      apiVersion = "admissionregistration.k8s.io/v1";
      kind = "ValidatingAdmissionPolicy";
      metadata = {
        name = "openclaw-operator-boxes-only";
        labels = labelsOf "openclaw-operator";
      };
      spec = {
        failurePolicy = "Fail";
        matchConstraints.resourceRules = [
          {
            apiGroups = [ "*" ];
            apiVersions = [ "*" ];
            resources = [ "*" "*/*" ];
            operations = [ "CREATE" "UPDATE" "DELETE" ];
          }
        ];
        # Only the operator's requests: everyone else is unaffected.
        matchConditions = [
          {
            name = "the-operator";
            expression = "request.userInfo.username == '${operatorUser}'";
          }
        ];
        validations = [
          {
            expression =
              "!${isNamespace} || ((request.operation == 'DELETE' || ${isBoxNamespace "object"})"
              + " && (request.operation == 'CREATE' || ${isBoxNamespace "oldObject"}))";
            message = "the operator creates, changes and deletes only namespaces labelled as boxes (${managedByLabel}=openclaw-operator, ${boxLabel}), never ${ns}";
          }
          {
            expression = "${isNamespace} || (namespaceObject != null && ${isBoxNamespace "namespaceObject"})";
            message = "the operator writes only inside namespaces labelled as boxes, never in ${ns} nor cluster-wide";
          }
          {
            expression =
              "request.resource.resource != 'rolebindings' || request.operation == 'DELETE'"
              + " || (object.roleRef.kind == 'ClusterRole' && object.roleRef.name == '${boxSecretsRole}'"
              + " && has(object.subjects) && object.subjects.all(s, s.kind == 'ServiceAccount'"
              + " && s.name == 'openclaw-operator' && s.namespace == '${ns}'))";
            message = "the operator binds only ${boxSecretsRole}, only to itself";
          }
        ];
      };
    }
    {
      apiVersion = "admissionregistration.k8s.io/v1";
      kind = "ValidatingAdmissionPolicyBinding";
      metadata = {
        name = "openclaw-operator-boxes-only";
        labels = labelsOf "openclaw-operator";
      };
      spec = {
        policyName = "openclaw-operator-boxes-only";
        validationActions = [ "Deny" ];
      };
    }
  ];

  # --- PostgreSQL and Redis: StatefulSets on the control plane's disk (see docs/deploy.md) -------
  onControlPlane = {
    "node-role.kubernetes.io/control-plane" = "true";
  };
  restricted = uid: {
    runAsNonRoot = true;
    runAsUser = uid;
    runAsGroup = uid;
    allowPrivilegeEscalation = false;
    readOnlyRootFilesystem = true;
    capabilities.drop = [ "ALL" ];
    seccompProfile.type = "RuntimeDefault";
  };
  statefulSet =
    {
      name,
      image,
      uid,
      port,
      env,
      args ? null,
      runDir ? null,
      dataPath,
      size,
      probe,
      # Pods (app.kubernetes.io/name) let in besides our services.
      clients ? [ ],
    }:
    [
      {
        apiVersion = "apps/v1";
        kind = "StatefulSet";
        metadata = meta name;
        spec = {
          serviceName = name;
          replicas = 1;
          selector.matchLabels = labelsOf name;
          template = {
            metadata.labels = labelsOf name;
            spec = {
              nodeSelector = onControlPlane;
              enableServiceLinks = false;
              automountServiceAccountToken = false;
              securityContext = {
                fsGroup = uid;
                seccompProfile.type = "RuntimeDefault";
              };
              containers = [
                (
                  {
                    inherit name image env;
                    resources = capacity.resources.${name};
                    ports = [
                      {
                        name = name;
                        containerPort = port;
                      }
                    ];
                    securityContext = restricted uid;
                    readinessProbe = probe // {
                      periodSeconds = 10;
                    };
                    livenessProbe = {
                      tcpSocket.port = port;
                      periodSeconds = 20;
                      failureThreshold = 6;
                    };
                    volumeMounts = [
                      {
                        name = "data";
                        mountPath = dataPath;
                      }
                      {
                        name = "tmp";
                        mountPath = "/tmp";
                      }
                    ]
                    ++ (
                      if runDir == null then
                        [ ]
                      else
                        [
                          {
                            name = "run";
                            mountPath = runDir;
                          }
                        ]
                    );
                  }
                  // (if args == null then { } else { inherit args; })
                )
              ];
              volumes = [
                {
                  name = "run";
                  emptyDir = { };
                }
                {
                  name = "tmp";
                  emptyDir = { };
                }
              ];
            };
          };
          volumeClaimTemplates = [
            {
              metadata.name = "data";
              spec = {
                accessModes = [ "ReadWriteOnce" ];
                storageClassName = "local-path";
                resources.requests.storage = size;
              };
            }
          ];
        };
      }
      {
        apiVersion = "v1";
        kind = "Service";
        metadata = meta name;
        spec = {
          selector = labelsOf name;
          ports = [
            {
              name = name;
              inherit port;
              targetPort = port;
            }
          ];
        };
      }
      # Only our services reach it.
      {
        apiVersion = "networking.k8s.io/v1";
        kind = "NetworkPolicy";
        metadata = meta name;
        spec = {
          podSelector.matchLabels = labelsOf name;
          policyTypes = [ "Ingress" ];
          ingress = [
            {
              from = map (s: { podSelector.matchLabels = labelsOf s; }) (
                builtins.attrNames services ++ clients
              );
              ports = [ { inherit port; } ];
            }
          ];
        };
      }
    ];

  postgres = statefulSet {
    name = "postgres";
    image = images.postgres;
    uid = 70; # postgres in the alpine image
    port = 5432;
    runDir = "/var/run/postgresql";
    dataPath = "/var/lib/postgresql/data";
    size = "20Gi";
    clients = [
      "postgres-backup"
      "postgres-exporter"
    ];
    env = [
      (plain "POSTGRES_DB" database.name)
      (plain "POSTGRES_USER" database.user)
      (fromSecret "POSTGRES_PASSWORD" "openclaw-db" "password")
      (plain "PGDATA" "/var/lib/postgresql/data/pgdata")
    ];
    probe.exec.command = [
      "pg_isready"
      "-U"
      database.user
      "-d"
      database.name
      "-h"
      "127.0.0.1"
    ];
  };

  redis = statefulSet {
    name = "redis";
    image = images.redis;
    uid = 999; # redis in the alpine image
    port = 6379;
    dataPath = "/data";
    size = "5Gi";
    clients = [ "redis-exporter" ];
    env = [ (fromSecret "REDIS_PASSWORD" "openclaw-redis" "password") ];
    # Streams and queues must never be evicted; AOF so a restart keeps them.
    args = [
      "--requirepass"
      "$(REDIS_PASSWORD)"
      "--appendonly"
      "yes"
      "--maxmemory-policy"
      "noeviction"
      "--dir"
      "/data"
    ];
    probe.tcpSocket.port = 6379;
  };

  # Nightly pg_dump into a volume on the control plane (keep a copy elsewhere: docs/deploy.md).
  postgresBackup = [
    {
      apiVersion = "v1";
      kind = "PersistentVolumeClaim";
      metadata = meta "postgres-backups";
      spec = {
        accessModes = [ "ReadWriteOnce" ];
        storageClassName = "local-path";
        resources.requests.storage = "20Gi";
      };
    }
    {
      apiVersion = "batch/v1";
      kind = "CronJob";
      metadata = meta "postgres-backup";
      spec = {
        schedule = "17 3 * * *";
        concurrencyPolicy = "Forbid";
        jobTemplate.spec.template = {
          metadata.labels = labelsOf "postgres-backup";
          spec = {
            restartPolicy = "OnFailure";
            nodeSelector = onControlPlane;
            automountServiceAccountToken = false;
            securityContext = {
              fsGroup = 70;
              seccompProfile.type = "RuntimeDefault";
            };
            containers = [
              {
                name = "pg-dump";
                image = images.postgres;
                command = [
                  "sh"
                  "-c"
                  "pg_dump -h postgres -U ${database.user} -Fc ${database.name} > /backups/openclaw-$(date +%F).dump && find /backups -name '*.dump' -mtime +14 -delete"
                ];
                env = [ (fromSecret "PGPASSWORD" "openclaw-db" "password") ];
                resources = capacity.resources.postgres-backup;
                securityContext = restricted 70;
                volumeMounts = [
                  {
                    name = "backups";
                    mountPath = "/backups";
                  }
                ];
              }
            ];
            volumes = [
              {
                name = "backups";
                persistentVolumeClaim.claimName = "postgres-backups";
              }
            ];
          };
        };
      };
    }
  ];

  # --- our services ----------------------------------------------------------------------------
  dbUrl = "jdbc:postgresql://${svcHost "postgres"}:5432/${database.name}";
  redisUrl = "redis://:$(REDIS_PASSWORD)@${svcHost "redis"}:6379";
  internalUrl = "http://${svcHost "token-proxy"}:${toString services.token-proxy.ports.internal}";
  serviceUrl = name: "http://${svcHost name}:${toString services.${name}.ports.http}";
  publicUrl = "https://${cluster.domain}";
  boolString = b: if b then "true" else "false";
  # OPENCLAW_ variable part of a name (builtins have no toUpper).
  upper = builtins.replaceStrings (lowerChars ++ [ "-" ]) (upperChars ++ [ "_" ]);
  lowerChars = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  upperChars = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];

  # Every variable is OPENCLAW_<KEY> of a key in docs/configuration.md (DeploymentManifestsTest).
  sharedEnv = [
    (plain "OPENCLAW_DB_URL" dbUrl)
    (plain "OPENCLAW_DB_USER" database.user)
    (fromSecret "OPENCLAW_DB_PASSWORD" "openclaw-db" "password")
    # Defined before OPENCLAW_REDIS_URL, which expands it.
    (fromSecret "REDIS_PASSWORD" "openclaw-redis" "password")
    (plain "OPENCLAW_REDIS_URL" redisUrl)
    (fromSecret "OPENCLAW_CRYPTO_KEYS" "openclaw-crypto" "keys")
    (fromSecret "OPENCLAW_CRYPTO_ACTIVE_KEY" "openclaw-crypto" "active-key")
  ]
  # Checkout (api) and subscriptions (billing worker) must name the same prices.
  ++ builtins.attrValues (
    builtins.mapAttrs (
      plan: price: plain "OPENCLAW_PLANS_${upper plan}_STRIPE_PRICE" price
    ) cluster.stripePrices
  );
  envOf =
    name: s:
    sharedEnv
    ++ [
      (plain "${s.envPrefix}_HOST" "0.0.0.0")
      (plain "${s.envPrefix}_PORT" (toString s.ports.http))
      # <prefix>.internal-port; the token proxy's proxy.internal.port (its internal API's too).
      (plain "${s.envPrefix}_INTERNAL_PORT" (toString s.ports.internal))
    ]
    ++ (extraEnv.${name} or [ ]);
  # The api (checkout, portal) and the billing worker (subscriptions) call Stripe.
  stripeEnv = [ (fromSecret "OPENCLAW_STRIPE_SECRET_KEY" "openclaw-stripe" "secret-key") ];
  extraEnv = {
    api = [
      (plain "OPENCLAW_API_PUBLIC_URL" publicUrl)
      (fromSecret "OPENCLAW_API_AUTH_JWT_KEYS" "openclaw-sessions" "jwt-keys")
      (fromSecret "OPENCLAW_API_AUTH_JWT_ACTIVE_KEY" "openclaw-sessions" "jwt-active-key")
      (plain "OPENCLAW_API_AUTH_ADMINS" (builtins.concatStringsSep "," cluster.admins))
      # Only ingress-nginx reaches the api (NetworkPolicy), and it sets X-Real-IP to the connecting
      # address (use-forwarded-headers is off): without it every sign-in would count against the
      # ingress pod's address in the per-address limit.
      (plain "OPENCLAW_API_AUTH_CLIENT_IP_HEADER" "X-Real-IP")
      (fromSecret "OPENCLAW_API_STRIPE_WEBHOOK_SECRET" "openclaw-stripe" "webhook-secret")
      (plain "OPENCLAW_API_STRIPE_SUCCESS_URL" "${publicUrl}/billing/done?session={CHECKOUT_SESSION_ID}")
      (plain "OPENCLAW_API_STRIPE_CANCEL_URL" "${publicUrl}/")
      (plain "OPENCLAW_API_ONBOARDING_URL" (serviceUrl "onboarding-agent"))
      (fromSecret "OPENCLAW_API_ONBOARDING_INTERNAL_TOKEN" "openclaw-onboarding" "internal-token")
      (fromSecret "OPENCLAW_API_ONBOARDING_SETUP_BOT_TOKEN" "openclaw-onboarding" "setup-bot-token")
    ]
    ++ stripeEnv;
    billing-worker = [
      (plain "OPENCLAW_BILLING_DASHBOARD_URL" "${publicUrl}/")
      (plain "OPENCLAW_BILLING_TOKEN_PROXY_INTERNAL_URL" internalUrl)
      (fromSecret "OPENCLAW_BILLING_TOKEN_PROXY_INTERNAL_TOKEN" "openclaw-proxy" "internal-token")
      (plain "OPENCLAW_BILLING_MAIL_HOST" cluster.mail.host)
      (plain "OPENCLAW_BILLING_MAIL_PORT" (toString cluster.mail.port))
      (plain "OPENCLAW_BILLING_MAIL_STARTTLS" (boolString cluster.mail.starttls))
      (fromSecret "OPENCLAW_BILLING_MAIL_USERNAME" "openclaw-mail" "username")
      (fromSecret "OPENCLAW_BILLING_MAIL_PASSWORD" "openclaw-mail" "password")
      (plain "OPENCLAW_BILLING_MAIL_FROM" "OpenClaw <no-reply@${cluster.domain}>")
    ]
    ++ stripeEnv;
    token-proxy = [
      (plain "OPENCLAW_PROXY_INTERNAL_HOST" "0.0.0.0")
      (fromSecret "OPENCLAW_PROXY_INTERNAL_TOKEN" "openclaw-proxy" "internal-token")
      (plain "OPENCLAW_PROXY_UPSTREAM_BASE_URL" "https://api.moonshot.ai/v1")
      (fromSecret "OPENCLAW_PROXY_UPSTREAM_API_KEY" "openclaw-proxy" "kimi-api-key")
    ];
    operator = [
      (plain "OPENCLAW_OPERATOR_KUBERNETES_ENABLED" "true")
      (plain "OPENCLAW_OPERATOR_KUBERNETES_IMAGE" cluster.gatewayImage)
      (plain "OPENCLAW_OPERATOR_TOKEN_PROXY_INTERNAL_URL" internalUrl)
      (fromSecret "OPENCLAW_OPERATOR_TOKEN_PROXY_INTERNAL_TOKEN" "openclaw-proxy" "internal-token")
      (plain "OPENCLAW_OPERATOR_KUBERNETES_TOKEN_PROXY_NAMESPACE" ns)
      (plain "OPENCLAW_OPERATOR_KUBERNETES_TOKEN_PROXY_POD_LABELS" "app.kubernetes.io/name=token-proxy")
      (plain "OPENCLAW_OPERATOR_KUBERNETES_TOKEN_PROXY_PORT" (toString services.token-proxy.ports.http))
      (plain "OPENCLAW_OPERATOR_KUBERNETES_TOKEN_PROXY_BASE_URL" "http://${svcHost "token-proxy"}:${toString services.token-proxy.ports.http}/v1")
      (plain "OPENCLAW_OPERATOR_KUBERNETES_CLUSTER_CIDRS" "${cluster.clusterCidr},${cluster.serviceCidr}")
      # Boxes' workspaces to the backups bucket (workspaces/<customer id>.tar.gz) when destroyed and
      # nightly while running (operator.workspaces.snapshot-interval, P1D), restored into the
      # customer's next box; the operator signs per-object URLs, the boxes never get the key.
      (plain "OPENCLAW_OPERATOR_WORKSPACES_S3_ENDPOINT" "https://${cluster.backups.s3.endpoint}")
      (plain "OPENCLAW_OPERATOR_WORKSPACES_S3_REGION" cluster.backups.s3.region)
      (plain "OPENCLAW_OPERATOR_WORKSPACES_S3_BUCKET" cluster.backups.s3.bucket)
      (plain "OPENCLAW_OPERATOR_WORKSPACES_S3_ACCESS_KEY_FILE" "${workspaceKeyDir}/access-key")
      (plain "OPENCLAW_OPERATOR_WORKSPACES_S3_SECRET_KEY_FILE" "${workspaceKeyDir}/secret-key")
    ];
    # telegram.api-root stays the real Telegram (platform.yaml), as for the other services.
    onboarding-agent = [
      (fromSecret "OPENCLAW_ONBOARDING_INTERNAL_TOKEN" "openclaw-onboarding" "internal-token")
      (plain "OPENCLAW_ONBOARDING_API_URL" (serviceUrl "api"))
      (fromSecret "OPENCLAW_ONBOARDING_TELEGRAM_TOKEN" "openclaw-onboarding" "setup-bot-token")
      # Kimi through the token proxy with a platform token (docs/deploy.md step 8); an empty token
      # until then: the scripted flow.
      (plain "OPENCLAW_ONBOARDING_MODEL_BASE_URL" "${serviceUrl "token-proxy"}/v1")
      (fromSecret "OPENCLAW_ONBOARDING_MODEL_API_KEY" "openclaw-onboarding" "model-api-key")
      (plain "OPENCLAW_ONBOARDING_MODEL_NAME" cluster.onboarding.model)
    ]
    ++ builtins.attrValues (
      builtins.mapAttrs (
        plan: price: plain "OPENCLAW_ONBOARDING_PRICES_${upper plan}" price
      ) cluster.onboarding.prices
    );
  };

  # Health with each check (503 while PostgreSQL or Redis is down; the token proxy's stays 200
  # without PostgreSQL, which it serves around from its caches) is on the internal port; the public
  # port's /observe/health only says the server answers.
  healthProbe = {
    httpGet = {
      path = "/observe/health";
      port = "internal";
    };
    timeoutSeconds = 3;
  };

  # The backups bucket's key, for the operator to sign the boxes' workspace URLs with: the two S3
  # keys of pgBackRest's Secret (backups.nix), as files (never in the environment), nothing else of it.
  workspaceKeyDir = "/run/secrets/workspace-store";
  extraMounts.operator = [
    {
      name = "workspace-store-key";
      mountPath = workspaceKeyDir;
      readOnly = true;
    }
  ];
  extraVolumes.operator = [
    {
      name = "workspace-store-key";
      secret = {
        secretName = "openclaw-backups";
        # 0440: root and the pod's fsGroup (the service's user).
        defaultMode = 288;
        items = [
          {
            key = "s3-access-key";
            path = "access-key";
          }
          {
            key = "s3-secret-key";
            path = "secret-key";
          }
        ];
      };
    }
  ];

  deployment = name: s: {
    apiVersion = "apps/v1";
    kind = "Deployment";
    metadata = meta name;
    spec = {
      inherit (s) replicas;
      revisionHistoryLimit = 3;
      selector.matchLabels = labelsOf name;
      template = {
        metadata.labels = labelsOf name;
        spec = {
          enableServiceLinks = false;
          # Only the operator talks to the Kubernetes API.
          automountServiceAccountToken = name == "operator";
          serviceAccountName = if name == "operator" then "openclaw-operator" else "default";
          securityContext = {
            runAsNonRoot = true;
            runAsUser = 65532;
            runAsGroup = 65532;
            fsGroup = 65532;
            seccompProfile.type = "RuntimeDefault";
          };
          containers = [
            {
              inherit name;
              image = "${cluster.registry}/${name}:${cluster.imageTag}";
              imagePullPolicy = "IfNotPresent";
              env = envOf name s;
              ports = builtins.attrValues (
                builtins.mapAttrs (portName: port: {
                  name = portName;
                  containerPort = port;
                  protocol = "TCP";
                }) s.ports
              );
              resources = {
                requests = {
                  cpu = "100m";
                  memory = s.memory;
                };
                limits.memory = s.memory;
              };
              securityContext = restricted 65532;
              # JVM start and Flyway migrations: up to 2.5 minutes.
              startupProbe = healthProbe // {
                periodSeconds = 5;
                failureThreshold = 30;
              };
              # /observe/health is 503 while a store it needs is down: out of the Service, not restarted.
              readinessProbe = healthProbe // {
                periodSeconds = 10;
                failureThreshold = 3;
              };
              # The public port answers at all (bare UP): a stuck server is restarted, a database
              # outage is not.
              livenessProbe = {
                httpGet = {
                  path = "/observe/health";
                  port = "http";
                };
                timeoutSeconds = 3;
                periodSeconds = 20;
                failureThreshold = 3;
              };
              volumeMounts = [
                {
                  name = "tmp";
                  mountPath = "/tmp";
                }
              ]
              ++ (extraMounts.${name} or [ ]);
            }
          ];
          volumes = [
            {
              name = "tmp";
              emptyDir.sizeLimit = "256Mi";
            }
          ]
          ++ (extraVolumes.${name} or [ ]);
        };
      };
    };
  };

  service = name: s: {
    apiVersion = "v1";
    kind = "Service";
    metadata = meta name;
    spec = {
      selector = labelsOf name;
      ports = builtins.attrValues (
        builtins.mapAttrs (portName: port: {
          name = portName;
          inherit port;
          targetPort = portName;
        }) s.ports
      );
    };
  };

  ingress =
    {
      name,
      host,
      backend,
      annotations ? { },
    }:
    {
      apiVersion = "networking.k8s.io/v1";
      kind = "Ingress";
      metadata = meta name // {
        annotations = {
          "cert-manager.io/cluster-issuer" = "letsencrypt";
        }
        // annotations;
      };
      spec = {
        ingressClassName = "nginx";
        tls = [
          {
            hosts = [ host ];
            secretName = "${name}-tls";
          }
        ];
        rules = [
          {
            inherit host;
            http.paths = [
              {
                path = "/";
                pathType = "Prefix";
                backend.service = {
                  name = backend;
                  port.name = "http";
                };
              }
            ];
          }
        ];
      };
    };

  ingresses = [
    (ingress {
      name = "api";
      host = cluster.domain;
      backend = "api";
      annotations = {
        # The onboarding relay is a WebSocket; Stripe webhooks are small.
        "nginx.ingress.kubernetes.io/proxy-read-timeout" = "3600";
        "nginx.ingress.kubernetes.io/proxy-body-size" = "1m";
      };
    })
    (ingress {
      name = "token-proxy";
      host = "proxy.${cluster.domain}";
      backend = "token-proxy";
      annotations = {
        # Completions stream (SSE): no buffering; bodies up to proxy.max-body-bytes (8 MiB).
        "nginx.ingress.kubernetes.io/proxy-buffering" = "off";
        "nginx.ingress.kubernetes.io/proxy-body-size" = "8m";
        "nginx.ingress.kubernetes.io/proxy-read-timeout" = "300";
      };
    })
  ];

  fromIngress = {
    namespaceSelector.matchLabels."kubernetes.io/metadata.name" = charts.ingress-nginx.namespace;
  };
  # The controller pods of the ingress-nginx chart (its standard labels).
  ingressControllerLabels = {
    "app.kubernetes.io/name" = "ingress-nginx";
    "app.kubernetes.io/component" = "controller";
  };
  # cert-manager's HTTP-01 solver listens here (acmesolver's default).
  acmeSolverPort = 8089;
  fromPods = names: map (n: { podSelector.matchLabels = labelsOf n; }) names;
  allowTo = name: rules: {
    apiVersion = "networking.k8s.io/v1";
    kind = "NetworkPolicy";
    metadata = meta name;
    spec = {
      podSelector.matchLabels = labelsOf name;
      policyTypes = [ "Ingress" ];
      ingress = rules;
    };
  };
  networkPolicies = [
    # Nothing reaches a pod in openclaw-system unless a policy below lets it.
    {
      apiVersion = "networking.k8s.io/v1";
      kind = "NetworkPolicy";
      metadata = meta "default-deny-ingress";
      spec = {
        podSelector = { };
        policyTypes = [ "Ingress" ];
      };
    }
    (allowTo "api" [
      {
        from = [ fromIngress ];
        ports = [ { port = services.api.ports.http; } ];
      }
      # A confirmed conversation's POST /signup.
      {
        from = fromPods [ "onboarding-agent" ];
        ports = [ { port = services.api.ports.http; } ];
      }
    ])
    (allowTo "token-proxy" [
      # The boxes (namespaces the operator labels) and the public ingress: the OpenAI-compatible API.
      {
        from = [
          fromIngress
          { namespaceSelector.matchLabels."app.kubernetes.io/managed-by" = "openclaw-operator"; }
        ];
        ports = [ { port = services.token-proxy.ports.http; } ];
      }
      # The onboarding agent's model calls, with a token of the platform's own (docs/token-proxy.md).
      {
        from = fromPods [ "onboarding-agent" ];
        ports = [ { port = services.token-proxy.ports.http; } ];
      }
      # The internal API's callers: the operator and the billing worker (internal-ports below lets
      # the rest of the namespace in for metrics).
      {
        from = fromPods [
          "operator"
          "billing-worker"
        ];
        ports = [ { port = services.token-proxy.ports.internal; } ];
      }
    ])
    # Every service's internal port (metrics, health with each check; the token proxy's internal
    # API, bearer-protected): from pods of this namespace (the operator, the billing worker) and
    # Prometheus' pods in namespace monitoring only, never from the ingress or the boxes. The kubelet's probes come from the node, which
    # the default deny never held back (the operator's probes have no policy of their own).
    {
      apiVersion = "networking.k8s.io/v1";
      kind = "NetworkPolicy";
      metadata = meta "internal-ports";
      spec = {
        podSelector.matchExpressions = [
          {
            key = "app.kubernetes.io/name";
            operator = "In";
            values = builtins.attrNames services;
          }
        ];
        policyTypes = [ "Ingress" ];
        ingress = [
          {
            from = [
              { podSelector = { }; }
              monitoring.fromPrometheus
            ];
            ports = forServices (name: s: { port = s.ports.internal; });
          }
        ];
      };
    }
    (allowTo "onboarding-agent" [
      # The web chat relay's inputs.
      {
        from = fromPods [ "api" ];
        ports = [ { port = services.onboarding-agent.ports.http; } ];
      }
    ])
    # Let's Encrypt HTTP-01: cert-manager answers the challenge from a solver pod it starts next to
    # the Ingress (here), which ingress-nginx forwards /.well-known/acme-challenge/ to. Without this
    # the default deny above drops it and no certificate is ever issued.
    {
      apiVersion = "networking.k8s.io/v1";
      kind = "NetworkPolicy";
      metadata = meta "acme-http01-solver";
      spec = {
        podSelector.matchLabels."acme.cert-manager.io/http01-solver" = "true";
        policyTypes = [ "Ingress" ];
        ingress = [
          {
            from = [ (fromIngress // { podSelector.matchLabels = ingressControllerLabels; }) ];
            ports = [
              {
                protocol = "TCP";
                port = acmeSolverPort;
              }
            ];
          }
        ];
      };
    }
  ];

  platformServices = builtins.concatLists (
    forServices (name: s: [
      (deployment name s)
      (service name s)
    ])
  );
in
{
  inherit services charts;
  inherit (monitoring) monitoringSecrets;
  inherit (backups) restore;
  secrets = secrets // backups.secrets;
  # File name (under /var/lib/rancher/k3s/server/manifests/) -> its objects. K3s applies them in
  # file-name order and retries what fails (CRDs not there yet, a namespace still missing).
  manifests = {
    "00-namespaces" = namespaces;
    "10-cert-manager" = certManager;
    "10-ingress-nginx" = ingressNginx;
    "20-cluster-issuer" = clusterIssuer;
    "30-operator-rbac" = operatorRbac;
    "30-operator-admission" = operatorAdmission;
    "40-postgres" = backups.withArchiving postgres ++ postgresBackup;
    "40-redis" = redis;
    "50-services" = platformServices;
    "50-network-policies" = networkPolicies;
    "55-capacity" = capacity.manifests;
    "60-ingresses" = ingresses;
  }
  // monitoring.manifests;
}
