import { Link } from '../router';

export function NotFoundPage({ message = 'There is no page here.' }: { message?: string }) {
  return (
    <main className="page" data-testid="not-found">
      <h1>Not found</h1>
      <p>{message}</p>
      <p>
        <Link to="/">Back to the sessions</Link>
      </p>
    </main>
  );
}
