export function LiveBadge() {
  return (
    <span className="live-badge" data-testid="live-badge">
      <span className="live-badge__dot" aria-hidden="true" />
      LIVE
    </span>
  );
}
