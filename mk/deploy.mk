# Deployment: the image, docker compose, minikube, DigitalOcean Kubernetes, and the
# offline checks of all of it (`make test-deploy`, part of `make test`).

IMAGE ?= packamal:dev
K8S_DIR := deploy/k8s
RENDERED := artifacts/deploy/rendered
# The Kubernetes version whose OpenAPI schemas the manifests must satisfy (kubernetes-validate).
K8S_VERSION := 1.35.0
CHECKOV_VERSION := 3.3.30
CHECKOV := BC_SKIP_MAPPING=TRUE $(UV) tool run --quiet --python 3.11 checkov==$(CHECKOV_VERSION) --config-file deploy/checkov.yaml
# KEDA=1: scale workers on the queue length (components/keda) instead of the CPU HPA.
KEDA ?=
MINIKUBE_URL = http://$$(minikube ip):30080
DOCR_REGISTRY ?=
DOKS_CLUSTER ?=
# The public host name (domain) of the DOKS deployment; empty: the load balancer's IP.
PUBLIC_HOST ?=
IMAGE_TAG ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
LOAD_JOBS ?= 40

TEST_TARGETS += test-deploy

.PHONY: up down minikube-up minikube-load minikube-watch minikube-down \
        doks-secrets doks-up deploy-render test-deploy deploy-checks test-role-smoke

.env:
	$(PY) deploy/tools/make_secrets.py .env.example .env

up: setup .env ## docker compose (or podman-compose): postgres, redis, migrate, api, worker, web on http://localhost
	# The workers fetch npm packages from the registry this machine's npm client names.
	grep -q '^npm_config_registry=' .env || ! command -v npm >/dev/null || \
	  echo "npm_config_registry=$$(npm config get registry)" >> .env
	$(PY) deploy/tools/image.py build --tag $(IMAGE)
	# docker compose, or podman-compose with depends_on honoured (deploy/tools/image.py)
	PACKAMAL_IMAGE=$(IMAGE) $(PY) deploy/tools/image.py compose-up
	echo "up: http://localhost:$${WEB_PUBLISH_PORT:-80}  (more workers: docker compose up -d --scale worker=4)"

down: ## docker compose: stop and remove the containers (the database volume stays)
	$(PY) deploy/tools/image.py compose-down

# Each run applies a wrapper kustomization in .dev/k8s/ (deploy/tools/render.py wrap):
# the overlay plus the KEDA component, the release image and the public host names the
# api must accept, without editing committed files.
# The worker image has pip but no npm client: it fetches npm packages from the registry
# the npm client of the machine that deploys is configured for.
WRAP = $(PY) deploy/tools/render.py wrap $(if $(KEDA),--component keda) \
	--config "npm_config_registry=$$(npm config get registry 2>/dev/null || true)"
ROLLOUT = kubectl -n packamal rollout status statefulset/postgres --timeout=300s && \
	for d in redis packamal-api packamal-worker packamal-web; do \
	  kubectl -n packamal rollout status deployment/$$d --timeout=600s; done

minikube-up: setup ## minikube: build the image into it, apply the overlay, wait, print the URL (KEDA=1 for KEDA)
	minikube status >/dev/null 2>&1 || minikube start --cni=calico --cpus=2 --memory=4096
	minikube addons enable metrics-server
	minikube image build -t packamal:dev .
	$(PY) deploy/tools/make_secrets.py $(K8S_DIR)/overlays/minikube/secrets.env.example \
	  $(K8S_DIR)/overlays/minikube/secrets.env
	$(WRAP) --overlay minikube --out .dev/k8s/minikube --allowed-host "$$(minikube ip)"
	kubectl apply -k .dev/k8s/minikube
	$(ROLLOUT)
	echo "minikube-up: open $(MINIKUBE_URL)"
	echo "  (docker driver on macOS/Windows: kubectl -n packamal port-forward svc/packamal-web 8080:80)"

minikube-load: setup ## minikube: dispatch 40 (LOAD_JOBS) 60 s cpu jobs through web so the worker HPA scales
	$(PY) deploy/tools/load.py --url "$${LOAD_URL:-$(MINIKUBE_URL)}" --jobs $(LOAD_JOBS) --seconds 60 --mode cpu

minikube-watch: ## minikube: watch the worker HPA (Ctrl-C to stop)
	kubectl -n packamal get hpa -w

minikube-down: ## minikube: delete everything of Pack-A-Mal (namespace packamal)
	kubectl delete namespace packamal --ignore-not-found

doks-secrets: setup ## DOKS: create overlays/doks/secrets.env from its example with generated values
	$(PY) deploy/tools/make_secrets.py $(K8S_DIR)/overlays/doks/secrets.env.example \
	  $(K8S_DIR)/overlays/doks/secrets.env

doks-up: doks-secrets ## DOKS: push the image to DOCR, apply the doks overlay (TLS), wait (DOCR_REGISTRY= DOKS_CLUSTER= PUBLIC_HOST=)
	# Uploads go to a Spaces bucket: its key is yours to paste (docs/deployment.md).
	! grep -q '=paste-the-' $(K8S_DIR)/overlays/doks/secrets.env || {
	  echo "doks-up: put your Spaces key in $(K8S_DIR)/overlays/doks/secrets.env (docs/deployment.md)"; exit 2; }
	[ -n "$(DOCR_REGISTRY)" ] && [ -n "$(DOKS_CLUSTER)" ] && [ -n "$(PUBLIC_HOST)" ] || {
	  echo "doks-up: set DOCR_REGISTRY=<registry name> DOKS_CLUSTER=<cluster name> PUBLIC_HOST=<domain on DigitalOcean DNS>"; exit 2; }
	# The load balancer's TLS certificate (Let's Encrypt, renewed by DigitalOcean).
	doctl compute certificate list --format Name --no-header | grep -qx packamal-web || \
	  doctl compute certificate create --name packamal-web --type lets_encrypt --dns-names "$(PUBLIC_HOST)"
	ref="registry.digitalocean.com/$(DOCR_REGISTRY)/packamal:$(IMAGE_TAG)"
	doctl registry login
	doctl kubernetes cluster kubeconfig save "$(DOKS_CLUSTER)"
	# Lets the cluster pull from the registry (a pull secret in every namespace).
	doctl kubernetes cluster registry add "$(DOKS_CLUSTER)"
	docker build --platform linux/amd64 -t "$$ref" .
	docker push "$$ref"
	$(WRAP) --overlay doks --out .dev/k8s/doks --image "$$ref" --allowed-host "$(PUBLIC_HOST)"
	kubectl apply -k .dev/k8s/doks
	$(ROLLOUT)
	# The load balancer's public IP, for the DNS record.
	ip=""
	for _ in $$(seq 1 60); do
	  ip=$$(kubectl -n packamal get service packamal-web -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
	  [ -n "$$ip" ] && break; sleep 5
	done
	echo "doks-up: https://$(PUBLIC_HOST) (point its DNS A record at $${ip:-<load balancer pending: kubectl -n packamal get svc packamal-web>})"

deploy-render: setup ## Render every overlay and overlay+component to artifacts/deploy/rendered (offline)
	$(PY) deploy/tools/render.py all --out $(RENDERED)

test-deploy: deploy-checks test-role-smoke ## Offline checks of Dockerfile, compose and manifests, and the roles run as processes

deploy-checks: setup ## Render every variant; schemas, policies (checkov, hadolint) and the architecture tests
	rm -rf $(RENDERED)
	$(PY) deploy/tools/render.py all --out $(RENDERED)
	hadolint Dockerfile
	# Three frameworks, one tool: side by side (each is mostly start-up and parsing).
	$(CHECKOV) --framework dockerfile -f Dockerfile > artifacts/deploy/checkov-dockerfile.log 2>&1 & a=$$!
	$(CHECKOV) --framework kubernetes -d $(RENDERED) > artifacts/deploy/checkov-kubernetes.log 2>&1 & b=$$!
	$(CHECKOV) --framework github_actions -d .github/workflows > artifacts/deploy/checkov-actions.log 2>&1 & c=$$!
	ok=0; for p in $$a $$b $$c; do wait $$p || ok=1; done
	cat artifacts/deploy/checkov-*.log
	[ $$ok = 0 ]
	PACKAMAL_K8S_VERSION=$(K8S_VERSION) PACKAMAL_RENDERED=$(RENDERED) \
	  pytest -c deploy/pytest.ini -m "not image" --ignore deploy/tests/test_role_smoke.py deploy/tests

test-role-smoke: setup ## docker/entrypoint.sh's roles as processes with the rendered environment: a job through web completes
	python3 scripts/system_deps.py web  # the web role is nginx
	$(PY) deploy/tools/render.py all --out $(RENDERED)-smoke > /dev/null
	PACKAMAL_K8S_VERSION=$(K8S_VERSION) PACKAMAL_RENDERED=$(RENDERED)-smoke \
	  pytest -c deploy/pytest.ini -m "not image" deploy/tests/test_role_smoke.py
