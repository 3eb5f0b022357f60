from gateway.app import create_app
from gateway.config import load
from shared.serve import serve

if __name__ == "__main__":
    settings = load()
    serve("gateway", create_app(settings), settings)
