import { problemResponse } from "@/lib/api/errors";

const notFound = async () => problemResponse(404, "No such API endpoint.");

export { notFound as GET, notFound as POST, notFound as PATCH, notFound as PUT, notFound as DELETE };
