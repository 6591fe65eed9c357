// Placeholder global setup; replaced by the fresh-database setup.
export default function setup() {}
