# The one image, built and run for real: docker when its daemon answers, else podman
# (installed from Debian when missing). deploy/tools/image.py holds the engine choice, the
# stand-in bases and this machine's quirks (with deploy/image/containers.conf).

IMAGE_TOOL := $(PY) deploy/tools/image.py

TEST_TARGETS += test-image
TEST_TARGETS += test-fresh-machine

.PHONY: image image-bases image-report image-measure test-image test-fresh-machine

image: setup ## Build the one image (all roles) as packamal:dev (IMAGE=...); stand-in bases when no registry answers
	$(IMAGE_TOOL) build --tag $(IMAGE)

image-bases: setup ## Pull the base images of the Dockerfile and compose; build Debian stand-ins (same names) where that fails
	$(IMAGE_TOOL) bases --compose

image-report: setup ## Print the image's user, size and layers
	$(IMAGE_TOOL) report --tag $(IMAGE)

# make test builds the image in a stage of its own, then runs this with IMAGE_BUILT=1.
test-image: setup $(if $(IMAGE_BUILT),,image) ## Run every role of the built image as a hardened container against PostgreSQL and Redis
	PACKAMAL_IMAGE=$(IMAGE) PACKAMAL_RENDERED= \
	  pytest -c deploy/pytest.ini -m image --timeout 900 deploy/tests

image-measure: image ## Peak memory of the worker container on real analyses (its Kubernetes limit comes from this)
	$(PY) deploy/tools/measure_worker.py --image $(IMAGE) $(MEASURE_ARGS)

test-fresh-machine: setup ## In a throwaway Debian container without them: install podman's packages the project's way, then build and run on the bridge network
	$(PY) deploy/tools/fresh_machine.py
