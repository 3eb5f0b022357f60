from services.review.app import create_app
from services.review.config import load
from shared.serve import serve

if __name__ == "__main__":
    settings = load()
    serve("review", create_app(settings), settings)
