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
# The image name committed in overlays/doks; doks-up swaps in your registry and tag.
DOKS_OVERLAY_IMAGE := registry.digitalocean.com/packamal/packamal
IMAGE_TAG ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
LOAD_JOBS ?= 40

TEST_TARGETS += test-deploy

.PHONY: image up down minikube-up minikube-load minikube-watch minikube-down \
        doks-secrets doks-up deploy-render test-deploy

image: ## Build the one image (all roles) as $(IMAGE)
	docker build -t $(IMAGE) .

.env:
	$(PY) deploy/tools/make_secrets.py .env.example .env

up: .env ## docker compose: postgres, redis, migrate, api, worker, web on http://localhost
	docker compose up -d --build
	docker compose ps
	echo "up: http://localhost:$${WEB_PUBLISH_PORT:-80}  (more workers: docker compose up -d --scale worker=4)"

down: ## docker compose: stop and remove the containers (the database volume stays)
	docker compose down

# A wrapper kustomization in .dev/ stacks a component or a release image on an overlay
# without editing committed files. $(1): overlay, $(2): dir.
define k8s_target
	if [ -n "$(KEDA)" ]; then
	  mkdir -p .dev/k8s/$(1)+keda
	  printf '%s\n' 'apiVersion: kustomize.config.k8s.io/v1beta1' 'kind: Kustomization' \
	    'resources: [../../../$(K8S_DIR)/overlays/$(1)]' \
	    'components: [../../../$(K8S_DIR)/components/keda]' > .dev/k8s/$(1)+keda/kustomization.yaml
	  $(2)=.dev/k8s/$(1)+keda
	else
	  $(2)=$(K8S_DIR)/overlays/$(1)
	fi
endef

minikube-up: setup ## minikube: build the image into it, apply the overlay, wait, print the URL (KEDA=1 for KEDA)
	minikube status >/dev/null 2>&1 || minikube start --cni=calico --cpus=2 --memory=4096
	minikube addons enable metrics-server
	minikube image build -t packamal:dev .
	$(PY) deploy/tools/make_secrets.py $(K8S_DIR)/overlays/minikube/secrets.env.example \
	  $(K8S_DIR)/overlays/minikube/secrets.env
	$(call k8s_target,minikube,target)
	kubectl apply -k "$$target"
	kubectl -n packamal rollout status statefulset/postgres --timeout=180s
	for d in redis packamal-api packamal-worker packamal-web; do
	  kubectl -n packamal rollout status deployment/$$d --timeout=300s
	done
	echo "minikube-up: open $(MINIKUBE_URL)"
	echo "  (docker driver on macOS/Windows: kubectl -n packamal port-forward svc/packamal-web 8080:80)"

minikube-load: setup ## minikube: dispatch $(LOAD_JOBS) 60 s cpu jobs through web so the worker HPA scales
	$(PY) deploy/tools/load.py --url "$${LOAD_URL:-$(MINIKUBE_URL)}" --jobs $(LOAD_JOBS) --seconds 60 --mode cpu

minikube-watch: ## minikube: watch the worker HPA and pods (Ctrl-C to stop)
	kubectl -n packamal get hpa,scaledobject -o wide 2>/dev/null || kubectl -n packamal get hpa -o wide
	kubectl -n packamal get hpa -w

minikube-down: ## minikube: delete everything of Pack-A-Mal (namespace packamal)
	kubectl delete namespace packamal --ignore-not-found

doks-secrets: setup ## DOKS: create overlays/doks/secrets.env from its example with generated values
	$(PY) deploy/tools/make_secrets.py $(K8S_DIR)/overlays/doks/secrets.env.example \
	  $(K8S_DIR)/overlays/doks/secrets.env

doks-up: doks-secrets ## DOKS: build+push to DOCR, apply the doks overlay, wait (DOCR_REGISTRY=... DOKS_CLUSTER=...)
	[ -n "$(DOCR_REGISTRY)" ] && [ -n "$(DOKS_CLUSTER)" ] || {
	  echo "doks-up: set DOCR_REGISTRY=<registry name> DOKS_CLUSTER=<cluster name>"; exit 2; }
	ref="registry.digitalocean.com/$(DOCR_REGISTRY)/packamal:$(IMAGE_TAG)"
	doctl registry login
	doctl kubernetes cluster kubeconfig save "$(DOKS_CLUSTER)"
	# Lets the cluster pull from the registry (a pull secret in every namespace).
	doctl kubernetes cluster registry add "$(DOKS_CLUSTER)"
	docker build --platform linux/amd64 -t "$$ref" .
	docker push "$$ref"
	$(call k8s_target,doks,base)
	mkdir -p .dev/k8s/doks-release
	printf '%s\n' 'apiVersion: kustomize.config.k8s.io/v1beta1' 'kind: Kustomization' \
	  "resources: [../../../$$base]" 'images:' '  - name: $(DOKS_OVERLAY_IMAGE)' \
	  "    newName: registry.digitalocean.com/$(DOCR_REGISTRY)/packamal" \
	  "    newTag: \"$(IMAGE_TAG)\"" > .dev/k8s/doks-release/kustomization.yaml
	kubectl apply -k .dev/k8s/doks-release
	kubectl -n packamal rollout status statefulset/postgres --timeout=300s
	for d in redis packamal-api packamal-worker packamal-web; do
	  kubectl -n packamal rollout status deployment/$$d --timeout=600s
	done
	echo "doks-up: the load balancer's address (may take a minute):"
	kubectl -n packamal get service packamal-web -o jsonpath='{.status.loadBalancer.ingress[0].ip}{"\n"}'

deploy-render: setup ## Render every overlay and overlay+component to $(RENDERED) (offline)
	$(PY) deploy/tools/render.py --out $(RENDERED)

test-deploy: setup ## Offline checks of Dockerfile, compose and manifests: render, schemas, policies, tests
	rm -rf $(RENDERED)
	$(PY) deploy/tools/render.py --out $(RENDERED)
	hadolint Dockerfile
	$(CHECKOV) --framework dockerfile -f Dockerfile
	$(CHECKOV) --framework kubernetes -d $(RENDERED)
	$(CHECKOV) --framework github_actions -d .github/workflows
	PACKAMAL_K8S_VERSION=$(K8S_VERSION) PACKAMAL_RENDERED=$(RENDERED) \
	  pytest -c deploy/pytest.ini deploy/tests
