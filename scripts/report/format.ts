/** A duration for people: `45 s`, `5 min`, `2 h 5 min`, `3 d 4 h` (the seconds are in the JSON report). */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** A record's time as `2026-11-29 14:30:00Z` (UTC, whole seconds); text that is not a time is returned as it is. */
export function when(time: string | undefined): string {
  if (!time) return '';
  const t = Date.parse(time);
  return Number.isNaN(t) ? time : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
