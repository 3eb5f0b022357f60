from services.notify.app import create_app
from services.notify.config import load
from shared.serve import serve

if __name__ == "__main__":
    settings = load()
    serve("notify", create_app(settings), settings)
