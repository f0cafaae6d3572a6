import { describe, expect, it } from 'vitest';
import { json, stubFetch } from '../test/fetchStub';
import { api, readCookie, unwrap } from './client';
import { ApiError } from './errors';

const SESSION = { signed_in: true, username: 'alice', is_superuser: false, projects: [] };

describe('the API client', () => {
  it('sends the CSRF cookie as X-CSRFToken on a POST, with same-origin credentials', async () => {
    document.cookie = 'csrftoken=tok-123';
    const { requests } = stubFetch({ 'POST /api/auth/session/': () => json(SESSION) });

    const data = unwrap(
      await api.POST('/api/auth/session/', { body: { username: 'alice', password: 'pw' } }),
    );

    expect(data).toEqual(SESSION);
    const [request] = requests;
    expect(request?.headers.get('X-CSRFToken')).toBe('tok-123');
    expect(request?.credentials).toBe('same-origin');
    expect(request?.headers.get('Content-Type')).toBe('application/json');
    expect(await request?.json()).toEqual({ username: 'alice', password: 'pw' });
  });

  it('reads the token at each request, since signing in rotates it', async () => {
    const { requests } = stubFetch({ 'DELETE /api/auth/session/': () => new Response(null, { status: 204 }) });
    document.cookie = 'csrftoken=first';
    await api.DELETE('/api/auth/session/');
    document.cookie = 'csrftoken=rotated';
    await api.DELETE('/api/auth/session/');
    expect(requests.map((r) => r.headers.get('X-CSRFToken'))).toEqual(['first', 'rotated']);
  });

  it('sends no token on safe methods, but still the cookies', async () => {
    document.cookie = 'csrftoken=tok-123';
    const { requests } = stubFetch({ 'GET /api/auth/session/': () => json(SESSION) });
    await api.GET('/api/auth/session/');
    expect(requests[0]?.headers.has('X-CSRFToken')).toBe(false);
    expect(requests[0]?.credentials).toBe('same-origin');
  });

  it('turns an error in the API shape into an ApiError with its detail', async () => {
    stubFetch({
      'POST /api/auth/session/': () =>
        json({ detail: 'Wrong user name or password.', errors: [{ path: '', message: 'Wrong user name or password.' }] }, 400),
    });
    const result = await api.POST('/api/auth/session/', { body: { username: 'a', password: 'b' } });
    const error = (() => {
      try {
        unwrap(result);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: 'Wrong user name or password.' });
    expect((error as ApiError).errors).toHaveLength(1);
  });

  it('describes an error without the API shape (a proxy page) by its status', async () => {
    stubFetch({
      'GET /api/auth/session/': () =>
        new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    const result = await api.GET('/api/auth/session/');
    expect(() => unwrap(result)).toThrow('The server answered 502 (Bad Gateway).');
  });
});

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('csrftoken', 'a=1; csrftoken=x%3Dy; b=2')).toBe('x=y');
    expect(readCookie('csrftoken', 'xcsrftoken=1')).toBeNull();
    expect(readCookie('csrftoken', '')).toBeNull();
  });
});
