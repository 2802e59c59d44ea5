import { redirect } from 'next/navigation';
import { SignOutButton } from '@/components/sign-out-button';
import { getSession } from '@/lib/auth';

/** The session page: who is signed in and until when. Signed-out visitors go to /sign-in. */
export default async function SessionPage() {
  const session = await getSession();
  if (!session) redirect('/sign-in');
  return (
    <section id="session">
      <h2>Signed in</h2>
      <dl>
        <dt>Name</dt>
        <dd id="name">{session.user.name}</dd>
        <dt>Email</dt>
        <dd id="email">{session.user.email}</dd>
        <dt>Session expires</dt>
        <dd id="expires">{session.session.expiresAt.toISOString()}</dd>
      </dl>
      <SignOutButton />
    </section>
  );
}
