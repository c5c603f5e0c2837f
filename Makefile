# sam build runs these targets (template.yaml: Metadata: BuildMethod: makefile), one per function, with ARTIFACTS_DIR
# set to the directory it packages. Each is `node scripts/build.mjs <function>`, the same build as `npm run build`
# (test/scripts/build.test.ts checks that every target is exactly that).

build-QuarantinePublicBucketFunction:
	node scripts/build.mjs quarantine-public-bucket --outdir "$(ARTIFACTS_DIR)"

build-StopCompromisedTrainingJobFunction:
	node scripts/build.mjs stop-compromised-training-job --outdir "$(ARTIFACTS_DIR)"

build-RotateCredentialsFunction:
	node scripts/build.mjs rotate-credentials --outdir "$(ARTIFACTS_DIR)"

build-NotifyFunction:
	node scripts/build.mjs notify --outdir "$(ARTIFACTS_DIR)"

.PHONY: build-QuarantinePublicBucketFunction build-StopCompromisedTrainingJobFunction build-RotateCredentialsFunction build-NotifyFunction
