// Errors of the guest build: each names what to run to fix it.
import { BootcaseError } from '../errors.js';

/** No container engine answers where one was required (prefer: 'container'). */
export class EngineUnavailableError extends BootcaseError {
  override readonly code = 'ENGINE_UNAVAILABLE';
}

/** The toolchain image is missing or was built from other inputs than containers/ holds now. */
export class ToolchainImageError extends BootcaseError {
  override readonly code = 'TOOLCHAIN_IMAGE';
}

/** make failed or passed its deadline; the message ends with the tail of its output. */
export class GuestBuildError extends BootcaseError {
  override readonly code = 'GUEST_BUILD_FAILED';
  constructor(what: string, readonly output: string, options?: { cause?: unknown }) {
    super(`${what}\n--- make output (tail) ---\n${output.split('\n').slice(-30).join('\n') || '(no output)'}`, options);
  }
}
