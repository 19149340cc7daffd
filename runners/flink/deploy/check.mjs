// Validates flinkdeployment.yaml against the Flink Kubernetes Operator's CRD schema, as packaged by
// @kubernetes-models/flink (generated from the operator's CRDs). Run by scripts/check-deploy.sh.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { FlinkDeployment } from "@kubernetes-models/flink/flink.apache.org/v1beta1/FlinkDeployment";

const file = process.argv[2];
const doc = parse(readFileSync(file, "utf8"));
try {
  new FlinkDeployment(doc).validate();
  console.log(`${file}: a valid ${doc.apiVersion} ${doc.kind}`);
} catch (e) {
  console.error(`${file}: ${e.message}`);
  process.exit(1);
}
