import { AuthForm } from '@/components/auth-form';

export default function SignInPage() {
  return (
    <section>
      <h2>Sign in</h2>
      <AuthForm mode="sign-in" />
    </section>
  );
}
