import { ApiError, httpError, networkError } from './errors.ts'

/**
 * Downloads a file the API serves to Bearer tokens only (a plain link cannot send the header):
 * fetched into a blob, then saved through a temporary link.
 */
export const downloadWithToken = async (url: string, token: string | null, filename: string): Promise<number> => {
  let response: Response
  try {
    response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  } catch (error) {
    throw networkError(error)
  }
  if (response.status === 401) throw new ApiError('UNAUTHENTICATED', 'Your session has ended. Sign in again to download.')
  if (!response.ok) throw httpError(response.status, await response.text().catch(() => ''))
  const blob = await response.blob()
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = filename
  link.dataset.external = ''
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(href), 60_000)
  return blob.size
}
