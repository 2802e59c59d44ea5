'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { authClient } from '@/lib/auth-client';

/** The sign-up and sign-in form: email + password (and a name when signing up). */
export function AuthForm({ mode }: { mode: 'sign-up' | 'sign-in' }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    setPending(true);
    setError(null);
    const result =
      mode === 'sign-up'
        ? await authClient.signUp.email({ name: String(form.get('name')), email, password })
        : await authClient.signIn.email({ email, password });
    setPending(false);
    if (result.error) {
      setError(result.error.message ?? result.error.statusText);
      return;
    }
    router.push('/');
    router.refresh();
  }

  return (
    <>
      <form id={mode} onSubmit={submit}>
        {mode === 'sign-up' && (
          <label>
            Name
            <input name="name" required autoComplete="name" />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            minLength={8}
            autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
          />
        </label>
        <button type="submit" disabled={pending}>
          {mode === 'sign-up' ? 'Create account' : 'Sign in'}
        </button>
      </form>
      {error && (
        <p id="message" className="error" role="alert">
          {error}
        </p>
      )}
      <p>
        {mode === 'sign-up' ? (
          <Link href="/sign-in">Already have an account? Sign in</Link>
        ) : (
          <Link href="/sign-up">No account yet? Sign up</Link>
        )}
      </p>
    </>
  );
}
