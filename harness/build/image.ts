// The toolchain image containers/build-image.sh makes, and whether the engine has it current.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageName, type ContainerRuntimeClient } from 'testcontainers';
import { repoRoot } from '../config.js';

export const TOOLCHAIN_IMAGE = 'localhost/bootcase-toolchain:bookworm';
export const BUILD_IMAGE_SCRIPT = 'containers/build-image.sh';
/** Labels set by build-image.sh at import time. */
const INPUTS_LABEL = 'org.bootcase.inputs';
const TOOLCHAIN_LABEL = 'org.bootcase.toolchain';

/** The hash build-image.sh labels its image with: sha256 of the script and the package list. */
export function toolchainInputs(): string {
  const h = createHash('sha256');
  for (const f of ['build-image.sh', 'toolchain.packages']) h.update(readFileSync(join(repoRoot, 'containers', f)));
  return h.digest('hex').slice(0, 16);
}

export type ImageCheck = { ok: true; toolchain: string } | { ok: false; reason: string };

/**
 * Is `image` in the engine and, for bootcase's own image, built from the inputs containers/ holds
 * now? Only inspects: a missing image is never pulled (there is no registry to pull it from).
 */
export async function checkToolchainImage(client: ContainerRuntimeClient, image = TOOLCHAIN_IMAGE): Promise<ImageCheck> {
  let labels: Record<string, string>;
  try {
    labels = (await client.image.inspect(ImageName.fromString(image))).Config?.Labels ?? {};
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404 || /no such image/i.test(String(e))) {
      return { ok: false, reason: `image ${image} is not in the engine: build it with ${BUILD_IMAGE_SCRIPT} (mmdebstrap, about a minute once, then cached)` };
    }
    throw e;
  }
  if (image === TOOLCHAIN_IMAGE) {
    const want = toolchainInputs();
    const have = labels[INPUTS_LABEL];
    if (have !== want) {
      return { ok: false, reason: `image ${image} was built from other inputs (${INPUTS_LABEL} ${have ?? 'missing'}, containers/ now hashes to ${want}): rebuild it with ${BUILD_IMAGE_SCRIPT}` };
    }
  }
  return { ok: true, toolchain: labels[TOOLCHAIN_LABEL] ?? `(${image} has no ${TOOLCHAIN_LABEL} label)` };
}
