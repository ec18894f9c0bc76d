// The project the scan tests run on, written at test time: lockfiles naming the harness advisories'
// vulnerable versions, IaC with misconfigurations, a planted secret generated per run, and an image (an
// OCI layout and a tarball of it) built in Node from an Alpine root filesystem plus the Python app.
import { randomInt } from 'node:crypto';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildOciLayout, dockerArchive, type OciImage } from '../../../test/harness/trivy/oci-image.js';
import { writeAlpineRootfs, writeLangFixture } from '../../../test/harness/trivy-db.js';
import { writeFiles } from './helpers.js';

/** An AWS access key id trivy's aws-access-key-id rule reports: AKIA + 16 random base32 characters. */
export const awsKey = (): string => 'AKIA' + Array.from({ length: 16 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[randomInt(32)]).join('');

/** Jinja2 3.1.2 (MEDIUM, fixed in 3.1.3) and PyYAML 6.0.1 (HIGH, no fix yet); MarkupSafe is clean. */
export const REQUIREMENTS = '# pinned by pip-compile\nJinja2==3.1.2\nMarkupSafe==2.1.5\nPyYAML==6.0.1\n';

export const DOCKERFILE = `FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app"]
`;

export const K8S = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
          securityContext:
            privileged: true
          ports:
            - containerPort: 8000
`;

export interface Project {
  ws: string;
  secret: string;
  image: OciImage;
}

/** py/ (requirements.txt), js/ (package-lock.json: lodash CRITICAL), deploy/ (Dockerfile, k8s.yaml), secrets/, build/ (image). */
export async function writeProject(ws: string): Promise<Project> {
  const secret = awsKey();
  writeFiles(ws, {
    'py/requirements.txt': REQUIREMENTS,
    'deploy/Dockerfile': DOCKERFILE,
    'deploy/k8s.yaml': K8S,
    'secrets/settings.env': `DEBUG=false\nAWS_ACCESS_KEY_ID=${secret}\nAWS_REGION=eu-west-1\n`,
  });
  await writeLangFixture(join(ws, 'js'));
  // The image: Alpine (busybox is vulnerable and GPL-2.0-only) with the Python app's lockfile.
  const rootfs = join(ws, '.rootfs');
  await writeAlpineRootfs(rootfs);
  mkdirSync(join(rootfs, 'app'), { recursive: true });
  cpSync(join(ws, 'py', 'requirements.txt'), join(rootfs, 'app', 'requirements.txt'));
  // In an image trivy reads installed packages (dist-info metadata), not lockfiles: pip install's result.
  const site = 'usr/lib/python3.12/site-packages';
  const metadata = (name: string, version: string, license: string): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nLicense: ${license}\n`;
  writeFiles(rootfs, {
    [`${site}/jinja2-3.1.2.dist-info/METADATA`]: metadata('Jinja2', '3.1.2', 'BSD-3-Clause'),
    [`${site}/PyYAML-6.0.1.dist-info/METADATA`]: metadata('PyYAML', '6.0.1', 'MIT'),
  });
  const image = buildOciLayout(rootfs, join(ws, 'build', 'layout'), 'web:1.4.2');
  dockerArchive(image, join(ws, 'build', 'image.tar'));
  return { ws, secret, image };
}
