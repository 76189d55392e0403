// Test data through the public API, in parallel batches (each mutation answers once durable).
import type { UiPlatform } from './platform.ts'

const REGISTER = `mutation($name: String!, $address: String!, $tags: [String!], $attributes: JSON) {
  registerTarget(name: $name, address: $address, connection: SSH, tags: $tags, attributes: $attributes) { id } }`

export const seedTargets = async (platform: UiPlatform, token: string, count: number, prefix = 'node'): Promise<void> => {
  let next = 0
  const width = String(count).length
  const worker = async () => {
    while (next < count) {
      const i = next++
      await platform.gql(
        REGISTER,
        {
          name: `${prefix}-${String(i).padStart(width, '0')}`,
          address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          tags: [['web', 'db', 'cache'][i % 3]!, i % 2 ? 'prod' : 'staging'],
          attributes: { os: i % 4 ? 'linux' : 'windows', rack: `r${i % 20}` }
        },
        token
      )
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
}
