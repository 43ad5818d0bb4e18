/** Saves `data` as a file through a temporary blob: URL (nothing leaves the browser). */
export function downloadBlob(
  data: Blob | Uint8Array | string,
  fileName: string,
  contentType = 'application/octet-stream',
): void {
  const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type: contentType });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download synchronously; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** A file-name-safe date stamp, e.g. `2026-11-24`. */
export function dateStamp(date = new Date()): string {
  return date.toISOString().slice(0, 10);
}
